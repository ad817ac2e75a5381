//! Generates the client from `specs/converz.yaml` through `cxkit-codegen`.

fn main() {
    if let Err(error) = cxkit_codegen::build_script("../../specs/converz.yaml") {
        panic!("generating converz-api: {error}");
    }
}
