//! The migrations, the poster's template and its words are embedded at compile time: a
//! change to any of them must rebuild the crate, which cargo does not know without being told.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=locales");
}
