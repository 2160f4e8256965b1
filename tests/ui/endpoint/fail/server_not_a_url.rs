#[derive(serde::Deserialize)]
struct File;

#[payforge::endpoint(provider = payforge_ui_tests::Shop, method = POST, path = "/v1/files", output = File, server = "files.example.com")]
#[derive(serde::Serialize)]
struct UploadFile {
    purpose: String,
}

fn main() {}
