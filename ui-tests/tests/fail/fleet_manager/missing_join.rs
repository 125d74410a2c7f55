// A fleet manager without `join`, which Nakama's interface requires.
use std::collections::HashMap;

use nakama_runtime::prelude::*;
use nakama_runtime::{FleetCreateRequest, FleetManagerHandler};

struct Servers;

impl FleetManagerHandler for Servers {
    async fn get(&self, _: &Context, _: &Nakama, id: &str) -> Result<nk::FleetInstance, Error> {
        Err(Error::new(Code::NotFound, id))
    }

    async fn list(&self, _: &Context, _: &Nakama, _: &str, _: i32, _: &str)
        -> Result<nk::FleetInstanceList, Error> {
        Ok(Default::default())
    }

    async fn create(&self, _: &Context, _: &Nakama, _: FleetCreateRequest)
        -> Result<HashMap<String, String>, Error> {
        Ok(HashMap::new())
    }
}

fn main() {}
