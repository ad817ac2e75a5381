//! Generates the client from `specs/zchat.yaml` through `cxkit-codegen`.

fn main() {
    if let Err(error) = cxkit_codegen::build_script("../../specs/zchat.yaml") {
        panic!("generating zchat-api: {error}");
    }
}
