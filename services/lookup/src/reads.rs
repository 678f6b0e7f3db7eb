//! Coalesced live reads: the status reads of concurrent scans of one register go to
//! Postgres as one statement.
//!
//! Why: a scan's read is one indexed row (and, for a certificate seal, the agency's
//! standing from six read contracts); most of its cost is the statement around it — the
//! round trip, the executor starting, each relation opened and locked. Under load, scans
//! that arrive while a read is under way wait for the next statement and share it, so
//! that cost is paid once per batch, not once per scan.
//!
//! The promise is unchanged: a scan joins a batch only before that batch's statement
//! starts, so every scan reads a snapshot taken after it arrived — a revoke that has
//! returned is visible to it. Nothing is kept between batches. When nothing else is in
//! flight a scan is sent alone at once (there is no waiting window).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};
use zegel_attest::Register;

use crate::replica::Fresh;
use crate::store;

pub use crate::store::{Answer, Ask};

type Reply = oneshot::Sender<Result<Answer, Arc<anyhow::Error>>>;

/// One queue per register, each served by a few readers.
#[derive(Debug, Clone)]
pub struct Reads {
    queues: Arc<HashMap<Register, mpsc::Sender<(Ask, Reply)>>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Statements in flight per register at most (each holds one pooled connection).
    pub readers: usize,
    pub batch: usize,
}

impl Reads {
    /// Starts the readers of every register, reading through `db`. They stop when the last
    /// `Reads` is dropped.
    pub fn start(db: &Fresh, shape: Shape) -> Self {
        let (readers, batch) = (shape.readers.max(1), shape.batch.max(1));
        // Scans waiting per register at most (eight full rounds of every reader); beyond
        // that a scan waits to be queued.
        let queue = readers * batch * 8;
        let mut queues = HashMap::new();
        for register in Register::ALL {
            let (tx, rx) = mpsc::channel(queue);
            let rx = Arc::new(Mutex::new(rx));
            for _ in 0..readers {
                tokio::spawn(serve(db.clone(), register, rx.clone(), batch));
            }
            queues.insert(register, tx);
        }
        Reads { queues: Arc::new(queues) }
    }

    /// The live status of `ask` in `register`, read after this call began.
    pub async fn read(&self, register: Register, ask: Ask) -> anyhow::Result<Answer> {
        let queue = self.queues.get(&register).ok_or_else(|| anyhow::anyhow!("no reader for {register:?}"))?;
        let (tx, rx) = oneshot::channel();
        queue.send((ask, tx)).await.map_err(|_| anyhow::anyhow!("the readers have stopped"))?;
        match rx.await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(anyhow::anyhow!("{e:#}")),
            Err(_) => Err(anyhow::anyhow!("the reader stopped before answering")),
        }
    }
}

/// One reader: takes the first waiting scan, every other scan already waiting (up to
/// `batch`), reads them in one statement and answers each.
async fn serve(db: Fresh, register: Register, queue: Arc<Mutex<mpsc::Receiver<(Ask, Reply)>>>, batch: usize) {
    loop {
        let taken = {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else { return };
            let mut taken = vec![first];
            while taken.len() < batch {
                match queue.try_recv() {
                    Ok(next) => taken.push(next),
                    Err(_) => break,
                }
            }
            taken
        };
        let (asks, replies): (Vec<Ask>, Vec<Reply>) = taken.into_iter().unzip();
        let (distinct, of) = distinct(asks);
        match store::seal_statuses(&db, register, &distinct).await {
            Ok(answers) => {
                for (reply, answer) in replies.into_iter().zip(fan_out(answers, &of)) {
                    // A scan that gave up (its timeout passed) no longer listens.
                    let _ = reply.send(Ok(answer));
                }
            }
            Err(e) => {
                let e = Arc::new(e);
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// The asks of a batch each once, and for each ask taken its place among them: a seal
/// scanned many times at once (a poster at a busy door, a hirer's system polling) is read
/// once per statement. Every copy arrived before the statement, so each still reads a
/// snapshot taken after it arrived.
fn distinct(asks: Vec<Ask>) -> (Vec<Ask>, Vec<usize>) {
    let mut seen: HashMap<Ask, usize> = HashMap::with_capacity(asks.len());
    let mut distinct = Vec::with_capacity(asks.len());
    let of = asks
        .into_iter()
        .map(|ask| {
            *seen.entry(ask).or_insert_with_key(|ask| {
                distinct.push(ask.clone());
                distinct.len() - 1
            })
        })
        .collect();
    (distinct, of)
}

/// Each ask's answer, in the order taken, from the answers to the distinct asks (`of`, from
/// [`distinct`]): copied only for a seal asked more than once, moved at its last ask.
fn fan_out(answers: Vec<Answer>, of: &[usize]) -> Vec<Answer> {
    let mut left = vec![0usize; answers.len()];
    for &i in of {
        left[i] += 1;
    }
    let mut answers: Vec<Option<Answer>> = answers.into_iter().map(Some).collect();
    of.iter()
        .filter_map(|&i| {
            left[i] -= 1;
            if left[i] == 0 { answers[i].take() } else { answers[i].clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(n: u128, subject: &str) -> Ask {
        Ask { seal_id: uuid::Uuid::from_u128(n), subject: subject.into() }
    }

    #[test]
    fn a_batch_reads_each_seal_once_and_answers_every_scan_from_its_own_read() {
        let asks = vec![ask(1, "a"), ask(2, "b"), ask(1, "a"), ask(1, "x"), ask(2, "b")];
        let (distinct, of) = distinct(asks.clone());
        assert_eq!(distinct, vec![ask(1, "a"), ask(2, "b"), ask(1, "x")]);
        assert_eq!(of, vec![0, 1, 0, 2, 1]);
        for (asked, i) in asks.iter().zip(&of) {
            assert_eq!(&distinct[*i], asked, "each scan is answered by its own seal and subject");
        }
        // Three answers told apart: none, officers clear, officers not clear.
        let answers = |n: usize| {
            (0..n)
                .map(|i| {
                    let facts =
                        (i > 0).then(|| zegel_contracts::Facts { officers_clear: Some(i == 1), ..Default::default() });
                    (crate::store::Live::Unknown, facts)
                })
                .collect::<Vec<Answer>>()
        };
        let each = fan_out(answers(3), &of);
        let expected: Vec<Answer> = of.iter().map(|&i| answers(3)[i].clone()).collect();
        assert_eq!(each, expected, "every scan gets its seal's answer");
    }
}
