//! configure by name from YAML text, for every catalogue task: never a panic, bounded work.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskdef::{Registry, TaskInput};

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((name, bytes)) = common::task_and_rest(data) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let entry = Registry::global().get(name).expect("a catalogue task");
    if let Ok(task) = entry.configure(TaskInput::yaml(text)) {
        assert_eq!(task.name(), name);
    }
});
