use leptos::prelude::*;

/// Loads the wasm once the page has loaded and painted, then hydrates its islands, each in a
/// task after wasm start-up.
///
/// Leptos' `HydrationScripts` preloads the wasm from `<head>`, where on a slow phone link it
/// competes with the stylesheet and can hold back the first paint. Every page is complete
/// without JavaScript (server-rendered, plain forms and links), so nothing is lost by starting
/// the download after the first paint; a tab that never paints (hidden) starts after 3 s.
#[component]
pub fn DeferredHydration(options: LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    // cargo-leptos names the wasm after the package; a plain wasm-bindgen build adds `_bg`.
    let wasm_suffix = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { "" } else { "_bg" };
    let script = format!(
        "(function (js, wasm) {{\
           const islands = (mod) => {{\
             mod.hydrate();\
             for (const el of document.querySelectorAll('leptos-island')) {{\
               const island = mod[el.dataset.component];\
               if (island) island(el); else console.warn('no island ' + el.dataset.component);\
             }}\
           }};\
           const start = () => import(js).then((mod) => mod.default({{ module_or_path: wasm }})\
             .then(() => setTimeout(() => islands(mod), 0)));\
           let started = false;\
           const once = () => {{ if (!started) {{ started = true; start(); }} }};\
           const afterPaint = () => {{\
             setTimeout(once, 3000);\
             if (!window.PerformanceObserver) return once();\
             new PerformanceObserver((list, observer) => {{\
               if (list.getEntriesByName('first-contentful-paint').length) {{ observer.disconnect(); once(); }}\
             }}).observe({{ type: 'paint', buffered: true }});\
           }};\
           if (document.readyState === 'complete') afterPaint();\
           else window.addEventListener('load', afterPaint, {{ once: true }});\
         }})({js:?}, {wasm:?});",
        js = format!("{pkg}.js"),
        wasm = format!("{pkg}{wasm_suffix}.wasm"),
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// Marks `<main>` once the islands before it are live (they hydrate in document order), so
/// end-to-end tests know when the page reacts. Renders nothing.
#[island]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(main) = document().get_element_by_id("content") {
            let _ = main.set_attribute("data-hydrated", "true");
        }
    });
}
