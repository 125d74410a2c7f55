// The example: typed payload and result, typed errors with fields.
use nakama_runtime::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, RuntimeError)]
enum GuildError {
    #[runtime_error(InvalidArgument, "input contained invalid data")]
    BadInput,
    #[runtime_error(AlreadyExists, "guild name is in use")]
    AlreadyExists,
    #[runtime_error(NotFound, "guild {0} not found")]
    NotFound(String),
    #[runtime_error(Internal, "storage failed after {attempts} attempts: {reason}")]
    Storage { attempts: u32, reason: String },
}

#[derive(Deserialize)]
struct CreateGuild {
    name: String,
}

#[derive(Serialize)]
struct Guild {
    name: String,
    owner: String,
}

#[init_module]
async fn init(ctx: &Context, _nk: &Nakama, _init: &mut Initializer) -> Result<(), Error> {
    ctx.logger().info("Hello World!");
    Ok(())
}

#[rpc]
async fn create_guild(ctx: &Context, _nk: &Nakama, req: CreateGuild) -> Result<Guild, GuildError> {
    let owner = ctx.user_id().ok_or(GuildError::BadInput)?.to_string();
    if req.name == "taken" {
        return Err(GuildError::AlreadyExists);
    }
    if req.name.is_empty() {
        return Err(GuildError::Storage { attempts: 1, reason: "empty".into() });
    }
    Err(GuildError::NotFound(owner))
}

fn main() {
    let e: Error = GuildError::NotFound("g".into()).into();
    assert_eq!(e.code(), Code::NotFound);
    assert_eq!(e.message(), "guild g not found");
    let e: Error = GuildError::Storage { attempts: 3, reason: "db".into() }.into();
    assert_eq!(e.message(), "storage failed after 3 attempts: db");
}
