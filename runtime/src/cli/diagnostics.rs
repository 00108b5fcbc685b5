//! Violations rendered in the style of rustc's diagnostics.
//!
//! ```text
//! error: 4 is greater than the maximum of 3
//!   --> data.json:3:18
//!    |
//!  3 |   "debug_level": 4,
//!    |                  ^ /debug_level
//! ```

use std::fmt::Write as _;

use crate::types::{TaskConfigError, Violation};

/// Every violation of `error` in the file's order (by line and column; those without a
/// position last, in the order found), then a summary line.
pub(super) fn render(error: &TaskConfigError, file: &str, text: &str, task: &str) -> String {
    let mut out = String::new();
    let mut violations: Vec<&Violation> = error.violations().iter().collect();
    violations.sort_by_key(|violation| {
        violation
            .position
            .map_or((1, 0, 0), |position| (0, position.line, position.column))
    });
    for violation in violations {
        render_one(&mut out, violation, file, text);
        out.push('\n');
    }
    let count = error.violations().len();
    let _ = writeln!(
        out,
        "error: `{file}` is not valid `{task}` task data ({count} {})",
        if count == 1 { "error" } else { "errors" }
    );
    out
}

fn render_one(out: &mut String, violation: &Violation, file: &str, text: &str) {
    // An unknown key's pointer is the key's own; a missing key is named by the message.
    let label = if violation.pointer.is_empty() {
        "(root)".to_owned()
    } else {
        violation.pointer.clone()
    };
    let _ = writeln!(out, "error: {}", violation.message);
    let line_text = violation
        .position
        .and_then(|position| Some((position, text.lines().nth(position.line.checked_sub(1)?)?)));
    match line_text {
        Some((position, line)) => {
            let width = position.line.to_string().len();
            let pad = " ".repeat(width);
            let _ = writeln!(
                out,
                "{pad} --> {file}:{}:{}",
                position.line, position.column
            );
            let _ = writeln!(out, "{pad}  |");
            let _ = writeln!(out, " {} | {}", position.line, line.trim_end_matches('\r'));
            // Tabs before the caret stay tabs, so that it lines up.
            let indent: String = line
                .chars()
                .take(position.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad}  | {indent}^ {label}");
        }
        None => {
            let _ = writeln!(out, "  --> {file}");
            let _ = writeln!(out, "   = at {label}");
        }
    }
    if violation.kind.is_schema() && !violation.schema_path.is_empty() {
        let width = violation
            .position
            .map_or(1, |position| position.line.to_string().len());
        let _ = writeln!(
            out,
            "{}  = schema: {}",
            " ".repeat(width),
            violation.schema_path
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Position, ViolationKind};

    #[test]
    fn renders_like_rustc() {
        let text = "{\n  \"result\": true,\n  \"debug_level\": 4,\n}";
        let mut violation = Violation::new(
            ViolationKind::Range {
                keyword: "maximum".into(),
                limit: 3.into(),
            },
            "/debug_level",
            "4 is greater than the maximum of 3",
        );
        violation.schema_path = "/properties/debug_level/maximum".into();
        violation.position = Some(Position {
            line: 3,
            column: 18,
        });
        let error = TaskConfigError::from_violations(vec![violation]);
        assert_eq!(
            render(&error, "data.json", text, "autopkgtest"),
            "error: 4 is greater than the maximum of 3\n  \
             --> data.json:3:18\n   \
             |\n \
             3 |   \"debug_level\": 4,\n   \
             |                  ^ /debug_level\n   \
             = schema: /properties/debug_level/maximum\n\
             \n\
             error: `data.json` is not valid `autopkgtest` task data (1 error)\n"
        );
    }

    #[test]
    fn in_the_order_of_the_file() {
        let at = |pointer: &str, line, column| {
            let mut violation = Violation::new(ViolationKind::Rule, pointer, pointer);
            violation.position = Some(Position { line, column });
            violation
        };
        let error = TaskConfigError::from_violations(vec![
            Violation::new(ViolationKind::Rule, "", "/nowhere"),
            at("/c", 3, 1),
            at("/b2", 2, 9),
            at("/a", 1, 4),
            at("/b1", 2, 2),
        ]);
        let text = render(&error, "f", "{\n\n\n", "noop");
        let order: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("error: /"))
            .collect();
        assert_eq!(order, ["a", "b1", "b2", "c", "nowhere"]);
    }

    #[test]
    fn without_a_position_names_the_pointer() {
        let error =
            TaskConfigError::rule("", "One of source_artifact or binary_artifacts must be set");
        let text = render(&error, "<stdin>", "", "lintian");
        assert!(text.starts_with(
            "error: One of source_artifact or binary_artifacts must be set\n  --> <stdin>\n   = at (root)\n"
        ));
    }
}
