//! A seed spec, mutated where generators break, through load, IR and emit.
//!
//! With `APIGEN_FUZZ_SAVE=FILE` set, the mutated document is also written
//! to FILE before it is checked: run a crashing input once that way to get
//! the spec for `codegen/tests/fuzz-regressions/`, since the input bytes
//! only mean something to this target and its seeds.

#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((bytes, syntax)) = apigen_fuzz::mutate::mutated(&mut Unstructured::new(data)) else { return };
    if let Some(path) = std::env::var_os("APIGEN_FUZZ_SAVE") {
        std::fs::write(path, &bytes).expect("APIGEN_FUZZ_SAVE is writable");
    }
    apigen_fuzz::check_bytes(&bytes, syntax);
});
