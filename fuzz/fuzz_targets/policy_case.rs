//! Feeds the input to `PolicyCase::parse_many` and runs every case; nothing may panic.
#![no_main]

use gatehouse_policy::PolicyCase;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cases) = PolicyCase::parse_many(text) else {
        return;
    };
    for case in &cases {
        let _ = case.expected_outcome();
        match case.run() {
            Ok(report) => {
                let _ = report.passed;
                for line in &report.trace {
                    let _ = line.to_string();
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
