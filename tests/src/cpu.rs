//! CPU time as Linux accounts it, for the benchmark's capacity figures: a service's threads
//! in this process (the test kit names each service's runtime threads after it), and a
//! Postgres server's processes (its postmaster and every backend it forked).
//!
//! Read from `/proc`: `utime + stime` in clock ticks, which the kernel reports in
//! `USER_HZ`, 100 a second on every Linux the suite runs on. None where `/proc` is not.

use std::path::Path;

const TICKS_PER_SECOND: f64 = 100.0;

/// The user and system time of a process or thread in seconds, and its parent's pid, from
/// its `stat` line: fields after the command, which is in parentheses and may hold spaces.
fn stat(path: &Path) -> Option<(f64, u32)> {
    let line = std::fs::read_to_string(path).ok()?;
    let fields: Vec<&str> = line.rsplit_once(')')?.1.split_whitespace().collect();
    // After the command: state (3), ppid (4), … utime (14), stime (15); 1-based as in proc(5).
    let ppid = fields.get(1)?.parse().ok()?;
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some((ticks / TICKS_PER_SECOND, ppid))
}

/// CPU seconds used so far by the threads of this process named `name` (a service's
/// runtime, [`zegel_testkit::spawn_on`]); threads that ended are not counted, so read it
/// while the service runs.
pub fn threads_named(name: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0.0 };
    tasks
        .flatten()
        .filter(|task| std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| comm.trim() == name))
        .filter_map(|task| stat(&task.path().join("stat")).map(|(seconds, _)| seconds))
        .sum()
}

/// CPU seconds used so far by this whole process (every thread, ended ones too).
pub fn this_process() -> f64 {
    stat(Path::new("/proc/self/stat")).map_or(0.0, |(seconds, _)| seconds)
}

/// CPU seconds used so far by the Postgres server whose postmaster is `postmaster`, and by
/// the backends it runs now (a backend that ended is not counted: read it while the load
/// runs on connections kept open, as the pools keep them).
pub fn server(postmaster: u32) -> f64 {
    let Ok(processes) = std::fs::read_dir("/proc") else { return 0.0 };
    processes
        .flatten()
        .filter_map(|p| {
            let pid: u32 = p.file_name().to_str()?.parse().ok()?;
            let (seconds, ppid) = stat(&p.path().join("stat"))?;
            (pid == postmaster || ppid == postmaster).then_some(seconds)
        })
        .sum()
}

/// The pid of the postmaster of the data directory `data` (first line of its
/// `postmaster.pid`), while it runs.
pub fn postmaster_of(data: &Path) -> Option<u32> {
    std::fs::read_to_string(data.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_named_thread_is_counted_and_others_are_not() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = Arc::new(AtomicBool::new(false));
        let spinning = stop.clone();
        let busy = std::thread::Builder::new()
            .name("cpu-test-busy".into())
            .spawn(move || {
                let mut x = 0u64;
                while !spinning.load(Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                }
                x
            })
            .unwrap();
        // Ticks are 10 ms: a spinning thread shows some within seconds however loaded the
        // machine; one that is not counted never does.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while threads_named("cpu-test-busy") < 0.05 {
            assert!(std::time::Instant::now() < deadline, "the spinning thread's time was never counted");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(threads_named("cpu-test-nobody"), 0.0);
        stop.store(true, Ordering::Relaxed);
        busy.join().unwrap();
    }

    #[test]
    fn a_stat_line_whose_command_holds_spaces_and_parentheses_is_read() {
        let dir = std::env::temp_dir().join(format!("zegel-cpu-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("stat");
        std::fs::write(&path, "4242 (postgres: a (b) c) S 17 4242 4242 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 1 0")
            .unwrap();
        assert_eq!(stat(&path), Some((3.0, 17)));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
