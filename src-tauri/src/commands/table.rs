//! The macro behind the one command table in `commands/mod.rs`. From each entry it makes the
//! `#[tauri::command]` wrapper, the `generate_handler!` list and (in tests) the signature the
//! TypeScript module `ui/src/bindings/commands.ts` is generated from, so a command's name and
//! arguments are written once.
//!
//! An entry is `kind fn name(arg: Type, …) -> Ok;` inside its domain module's block; it calls
//! `module::name(context, arg, …)`, which returns `Res<Ok>`. `kind` is
//! - `quick`: a plain (synchronous) Tauri command with `&AppState`, the shared connection;
//! - `long`: runs through [`context::blocking`](super::context::blocking) with a
//!   [`Detached`](super::context::Detached) (its own connection), so the window stays responsive.

macro_rules! command_table {
    // The wrappers are private: for a `pub` fn `#[tauri::command]` `#[macro_export]`s its helper
    // macros, and macro-expanded exported macros cannot be referred to by path.
    (@wrapper quick, $module:ident, [$($doc:literal),*], $name:ident, ($($arg:ident: $ty:ty),*), $ret:ty) => {
        $(#[doc = $doc])*
        #[tauri::command]
        fn $name(
            state: tauri::State<'_, $crate::commands::context::AppState>,
            $($arg: $ty),*
        ) -> $crate::commands::context::Res<$ret> {
            $module::$name(&state, $($arg),*)
        }
    };
    (@wrapper long, $module:ident, [$($doc:literal),*], $name:ident, ($($arg:ident: $ty:ty),*), $ret:ty) => {
        $(#[doc = $doc])*
        #[tauri::command]
        async fn $name(
            state: tauri::State<'_, $crate::commands::context::AppState>,
            $($arg: $ty),*
        ) -> $crate::commands::context::Res<$ret> {
            let detached = state.detached();
            $crate::commands::context::blocking(stringify!($name), move || {
                $module::$name(&detached, $($arg),*)
            })
            .await
        }
    };
    ($(
        $module:ident {
            $(
                $(#[doc = $doc:literal])*
                $kind:ident fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
            )*
        }
    )*) => {
        $($(
            $crate::commands::table::command_table!(@wrapper $kind, $module, [$($doc),*], $name, ($($arg: $ty),*), $ret);
        )*)*

        /// Routes each IPC call to its command.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($($name,)*)*]
        }

        /// Every command's name, documentation, arguments and answer, for the TypeScript module.
        #[cfg(test)]
        pub(crate) fn signatures() -> Vec<$crate::commands::typescript::Command> {
            use $crate::commands::typescript::{Arg, Command, TsType};
            vec![$($(
                Command {
                    name: stringify!($name),
                    docs: &[$($doc),*],
                    args: vec![$(Arg { name: stringify!($arg), ty: TsType::of::<$ty>() }),*],
                    returns: TsType::of::<$ret>(),
                },
            )*)*]
        }
    };
}

pub(crate) use command_table;
