//! configure by name over raw bytes, for every catalogue task: never a panic, and the fast path
//! never accepts what the general path refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskdef::{Registry, TaskInput};

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((name, bytes)) = common::task_and_rest(data) else {
        return;
    };
    let entry = Registry::global().get(name).expect("a catalogue task");
    let verdict = entry.configure(bytes);
    // The same bytes as a parsed value must get the same verdict.
    if let Ok(value) = TaskInput::JsonBytes(bytes).into_value() {
        let from_value = entry.configure(value.into_owned());
        assert_eq!(
            verdict.is_ok(),
            from_value.is_ok(),
            "text and value disagree for {name}: {:?}",
            String::from_utf8_lossy(bytes)
        );
    } else {
        assert!(verdict.is_err(), "unparsable bytes accepted for {name}");
    }
});
