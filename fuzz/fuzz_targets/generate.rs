//! Raw bytes through load, IR and emit: JSON when they start with `{`,
//! YAML otherwise, as the command line reads a file of unknown extension.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    apigen_fuzz::check_bytes(data, apigen_fuzz::syntax_of(data));
});
