//! The S3 crate's layers, checked on its source: no file imports a module of a layer above
//! its own, and no files import each other in a loop. Layers, bottom up: the error map and the
//! operation table; `model` (what S3 keeps); the access hooks and their authorization log; the
//! gateway; `records` (reads and write plans); `ops` (the handlers); the s3s service and seeds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of each top-level module.
const LAYERS: [(&str, u8); 11] = [
    ("error", 0),
    ("operations", 0),
    ("public", 0),
    ("model", 1),
    ("authz_log", 2),
    ("access", 2),
    ("gateway", 3),
    ("records", 4),
    ("ops", 5),
    ("service", 6),
    ("seed", 6),
];

fn layer(top: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == top).map(|(_, l)| *l)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path (`ops/object.rs` → `ops::object`, `records/mod.rs` → `records`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|p| p != "mod")
        .collect();
    parts.join("::")
}

/// The `crate::a` or `crate::a::b` paths a file's code (not its tests or comments) names.
fn crate_paths(text: &str) -> BTreeSet<Vec<String>> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        for (i, _) in line.match_indices("crate::") {
            let path: Vec<String> = line[i + "crate::".len()..]
                .split("::")
                .map(|seg| {
                    seg.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|seg| !seg.is_empty())
                .take(2)
                .collect();
            if !path.is_empty() {
                out.insert(path);
            }
        }
    }
    out
}

#[test]
fn no_file_imports_a_layer_above_it_or_loops() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        let me = module_of(&src, file);
        if me == "lib" {
            continue;
        }
        let top = me.split("::").next().unwrap_or_default();
        let Some(mine) = layer(top) else {
            problems.push(format!("{me} is in no layer: add it to LAYERS"));
            continue;
        };
        for path in crate_paths(&std::fs::read_to_string(file).unwrap()) {
            let Some(theirs) = layer(&path[0]) else {
                continue;
            };
            if theirs > mine {
                problems.push(format!("{me} imports crate::{}", path.join("::")));
            }
            let target = if modules.contains(&path.join("::")) {
                path.join("::")
            } else {
                path[0].clone()
            };
            if target != me {
                edges.entry(me.clone()).or_default().insert(target);
            }
        }
    }
    // A loop is a file that reaches itself.
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(next) = todo.pop() {
            if next == start {
                problems.push(format!("{start} imports itself through other files"));
                break;
            }
            if seen.insert(next.clone()) {
                todo.extend(edges.get(next).into_iter().flatten());
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
