//! Generates the client from `specs/conversion.yaml` through `cxkit-codegen`.

fn main() {
    if let Err(error) = cxkit_codegen::build_script("../../specs/conversion.yaml") {
        panic!("generating conversion-api: {error}");
    }
}
