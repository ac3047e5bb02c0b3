//! The `quire` binary: parse arguments, call the library, map the result to an exit code.

use clap::Parser;
use quire::exit::ExitCode;

fn main() -> std::process::ExitCode {
    let cli = match quire::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::Usage.into()
            } else {
                ExitCode::Success.into()
            };
        }
    };
    quire::cli::init_logging();
    match quire::cli::run(cli) {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("quire: error: {e:#}");
            quire::cli::exit_code_for(&e).into()
        }
    }
}
