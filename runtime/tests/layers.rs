//! The runtime's modules form layers: each imports only from the layers below it, and no
//! module imports, even indirectly, from itself.
//!
//! The check reads `src/` as text: every `crate::`, `super::` and child-module path outside
//! comments and `#[cfg(test)]` modules is an import of the module it names (or of the module
//! holding the item it names). `lib.rs`, the root that re-exports the public API, is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules, bottom-up. A module may import from a module of a lower layer only;
/// modules in one layer may not import from each other. `schema` is the one reader of schema
/// JSON (`schema::read`); `compat`, which compares two schemas, reads them through it, so it
/// sits above; `client` (work requests as a worker runs them, and the worker's Debusine
/// client) sits below `cli`, whose `run` and `worker` subcommands use it.
const LAYERS: &[&[&str]] = &[
    &["types"],
    &["schema"],
    &["compat"],
    &["parse"],
    &["configure"],
    &["metadata", "execution"],
    &["task"],
    &["registry"],
    &["schedule"],
    &["locate"],
    &["docs"],
    &["client"],
    &["cli"],
];

type Module = Vec<String>;

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&top))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` is `a::b`, `src/a/mod.rs` is `a`, `src/lib.rs` is the root.
fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(src).expect("a file under src/");
    let mut parts: Module = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    match last.as_str() {
        "mod.rs" | "lib.rs" => {}
        name => parts.push(name.trim_end_matches(".rs").to_owned()),
    }
    parts
}

/// The code of a file without comments and without its `#[cfg(test)] mod ...` blocks.
fn code_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut skip_depth: Option<i64> = None;
    let mut pending_cfg_test = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(depth) = skip_depth.as_mut() {
            *depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
            if *depth <= 0 {
                skip_depth = None;
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            pending_cfg_test = true;
            continue;
        }
        if pending_cfg_test && trimmed.starts_with("mod ") && trimmed.ends_with('{') {
            skip_depth = Some(1);
            pending_cfg_test = false;
            continue;
        }
        pending_cfg_test = false;
        lines.push(line);
    }
    lines
}

/// The identifier segments of a path starting at `start` in `text` (`a::b::C` gives a, b, C).
fn segments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_owned());
        rest = &rest[end..];
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    out
}

/// The deepest existing module along `path` from `base`.
fn resolve(modules: &BTreeSet<Module>, base: &Module, path: &[String]) -> Module {
    let mut module = base.clone();
    for segment in path {
        let mut next = module.clone();
        next.push(segment.clone());
        if modules.contains(&next) {
            module = next;
        } else {
            break;
        }
    }
    module
}

fn is_path_start(line: &str, at: usize) -> bool {
    at == 0 || {
        let before = line[..at].chars().next_back().unwrap_or(' ');
        !(before.is_alphanumeric() || before == '_' || before == ':')
    }
}

/// Every module a file's code refers to.
fn imports(
    modules: &BTreeSet<Module>,
    module: &Module,
    is_dir_module: bool,
    text: &str,
) -> BTreeSet<Module> {
    let mut found = BTreeSet::new();
    // `super` of a file `a/b.rs` is `a`; of a folder module `a/b/mod.rs` also `a`.
    let parent: Module = module[..module.len().saturating_sub(1)].to_vec();
    for line in code_lines(text) {
        for (at, _) in line.match_indices("crate::") {
            if is_path_start(line, at) {
                let path = segments(&line[at + "crate::".len()..]);
                found.insert(resolve(modules, &Vec::new(), &path));
            }
        }
        for (at, _) in line.match_indices("super::") {
            if is_path_start(line, at) {
                let mut rest = &line[at..];
                let mut base = parent.clone();
                // `super::super::` climbs further.
                rest = &rest["super::".len()..];
                while let Some(next) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = next;
                }
                found.insert(resolve(modules, &base, &segments(rest)));
            }
        }
        // A child module used by a relative path: `use child::Item;` in a folder module.
        if is_dir_module || module.is_empty() {
            let trimmed = line.trim_start();
            let trimmed = trimmed.strip_prefix("pub(crate) ").unwrap_or(trimmed);
            let trimmed = trimmed.strip_prefix("pub(super) ").unwrap_or(trimmed);
            let trimmed = trimmed.strip_prefix("pub ").unwrap_or(trimmed);
            if let Some(path) = trimmed.strip_prefix("use ") {
                let path = segments(path);
                if path.first().is_some_and(|first| {
                    let mut child = module.clone();
                    child.push(first.clone());
                    modules.contains(&child)
                }) {
                    found.insert(resolve(modules, module, &path));
                }
            }
        }
    }
    found.remove(module);
    found
}

struct Graph {
    edges: BTreeMap<Module, BTreeSet<Module>>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|file| module_of(&src, file)).collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        if module.is_empty() {
            continue; // lib.rs: the root re-exports from every layer.
        }
        let text = fs::read_to_string(file).expect("a readable source file");
        let is_dir_module = file.file_name().is_some_and(|name| name == "mod.rs");
        edges.insert(
            module.clone(),
            imports(&modules, &module, is_dir_module, &text),
        );
    }
    Graph { edges }
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

#[test]
fn every_top_level_module_has_a_layer() {
    let graph = graph();
    let unplaced: BTreeSet<&String> = graph
        .edges
        .keys()
        .filter_map(|module| module.first())
        .filter(|top| layer_of(top).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules with no place in LAYERS (add them where they belong): {unplaced:?}"
    );
}

#[test]
fn modules_import_only_from_lower_layers() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (module, targets) in &graph.edges {
        let Some(layer) = module.first().and_then(|top| layer_of(top)) else {
            continue;
        };
        for target in targets {
            let Some(top) = target.first() else {
                wrong.push(format!("{} imports from the crate root", name(module)));
                continue;
            };
            if top == &module[0] {
                continue;
            }
            let target_layer = layer_of(top).unwrap_or(usize::MAX);
            if target_layer >= layer {
                wrong.push(format!("{} imports {}", name(module), name(target)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports from the same or a higher layer:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn no_module_imports_from_itself_through_others() {
    let graph = graph();
    // Depth-first search for a back edge; the path to it is the circle.
    fn visit(
        graph: &Graph,
        module: &Module,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
        circles: &mut Vec<String>,
    ) {
        if let Some(start) = path.iter().position(|seen| seen == module) {
            let circle: Vec<String> = path[start..].iter().chain([module]).map(name).collect();
            circles.push(circle.join(" -> "));
            return;
        }
        if done.contains(module) {
            return;
        }
        path.push(module.clone());
        for target in graph.edges.get(module).into_iter().flatten() {
            visit(graph, target, path, done, circles);
        }
        path.pop();
        done.insert(module.clone());
    }
    let mut done = BTreeSet::new();
    let mut circles = Vec::new();
    for module in graph.edges.keys() {
        visit(&graph, module, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(
        circles.is_empty(),
        "import circles:\n  {}",
        circles.join("\n  ")
    );
}

/// The check itself finds what it should: an import from above, a circle, a child by a
/// relative path, and nothing in comments or test modules.
#[test]
fn the_reader_finds_imports_and_skips_comments_and_tests() {
    let modules: BTreeSet<Module> = [
        vec![],
        vec!["types".to_owned()],
        vec!["task".to_owned()],
        vec!["task".to_owned(), "traits".to_owned()],
        vec!["task".to_owned(), "run".to_owned()],
    ]
    .into_iter()
    .collect();
    let module = vec!["task".to_owned(), "run".to_owned()];
    let text = "\
//! See [`crate::registry`].
use super::traits::Task;
use crate::types::{TaskKind, WorkerType};
fn f() -> crate::task::traits::X { todo!() }
#[cfg(test)]
mod tests {
    use crate::registry::Registry;
}
";
    let found = imports(&modules, &module, false, text);
    let expected: BTreeSet<Module> = [
        vec!["task".to_owned(), "traits".to_owned()],
        vec!["types".to_owned()],
    ]
    .into_iter()
    .collect();
    assert_eq!(found, expected);
    let folder = vec!["task".to_owned()];
    let found = imports(&modules, &folder, true, "mod run;\npub use run::go;\n");
    assert_eq!(found, [module].into_iter().collect());
}
