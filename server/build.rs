//! Compiles `proto/` (the realtime envelope) to a file descriptor set that
//! `src/realtime/protobuf.rs` embeds; `protox` needs no `protoc`.

fn main() {
    println!("cargo:rerun-if-changed=proto");
    let files = ["proto/realtime.proto"];
    let set = protox::compile(files, ["proto"]).expect("server/proto compiles");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out.join("realtime.bin"),
        prost::Message::encode_to_vec(&set),
    )
    .expect("write the descriptor set");
}
