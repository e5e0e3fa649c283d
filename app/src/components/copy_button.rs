use leptos::prelude::*;

/// Copies `text` to the clipboard (an island: the only code a brand page runs).
#[island]
pub fn CopyButton(text: String, label: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    #[cfg(not(feature = "hydrate"))]
    let _ = &text;
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let text = text.clone();
            leptos::task::spawn_local(async move {
                let clipboard = leptos::prelude::window().navigator().clipboard();
                if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok() {
                    copied.set(true);
                }
            });
        }
    };
    view! {
        <button type="button" class="copy-button" on:click=on_click aria-label=label>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
        <span class="visually-hidden" role="status">{move || if copied.get() { "Copied to clipboard" } else { "" }}</span>
    }
}
