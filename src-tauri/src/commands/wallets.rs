//! Currencies and wallets.

use recon_api::{CurrencyDto, NewWalletDto, WalletDto};

use super::context::{actor, AppState, Res};

pub fn currency_list(state: &AppState) -> Res<Vec<CurrencyDto>> {
    recon_api::currency_list(&*state.store()?)
}

pub fn currency_add(state: &AppState, input: CurrencyDto) -> Res<CurrencyDto> {
    recon_api::currency_add(&mut *state.store()?, &actor(), input)
}

pub fn wallet_list(state: &AppState) -> Res<Vec<WalletDto>> {
    recon_api::wallet_list(&*state.store()?)
}

pub fn wallet_add(state: &AppState, input: NewWalletDto) -> Res<WalletDto> {
    recon_api::wallet_add(&mut *state.store()?, &actor(), input)
}
