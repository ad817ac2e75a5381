//! Generates the client from `spec.yaml` (a link to `specs/conversion.yaml`, the one place it is
//! edited; the package carries the file itself) through `cxkit-codegen`.

fn main() {
    if let Err(error) = cxkit_codegen::build_script("spec.yaml") {
        panic!("generating conversion-api: {error}");
    }
}
