//! The README documents every query-string key, so a key added to the code without docs fails here.
#[test]
fn readme_documents_every_query_key() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md");
    let view = sim_core::query::VIEW_KEYS.iter().map(|(k, _)| *k);
    for key in ["v", "stage"].into_iter().chain(sim_core::query::FIELDS.iter().map(|f| f.key)).chain(view) {
        assert!(readme.contains(&format!("| `{key}` |")), "README.md does not document the query key `{key}`");
    }
}
