//! The LOD panel (Level of detail section) edits `settings.hierarchy`: LOD on,
//! the cut budget, freeze and colour by level; it shows the build's progress
//! bar with a cancel, and the cut's stats. The section's fast-blending
//! checkbox edits `settings.lod`.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use splatview::app::lod_status::{LodBuildInfo, LodBuildStatus};
use splatview::app::state::AppState;
use splatview::render::lod::LodStats;
use splatview::settings::Settings;

const SIZE: (f32, f32) = (1280.0, 1000.0);

fn harness(state: AppState) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size(egui::vec2(SIZE.0, SIZE.1))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, None),
            state,
        )
}

fn open_section(h: &mut Harness<'static, AppState>) {
    h.run_steps(2);
    h.get_by_label("Level of detail").click();
    h.run_steps(3);
}

#[test]
fn panel_controls_edit_the_hierarchy_settings() {
    let mut h = harness(AppState::new(Settings::default()));
    open_section(&mut h);
    assert!(!h.state().settings.hierarchy.enabled);
    h.get_by_label("Hierarchy (LOD) on").click();
    h.run_steps(2);
    assert!(h.state().settings.hierarchy.enabled);
    h.get_by_label("Cut budget").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.hierarchy.budget, Some(1_000_000));
    assert!(h.state().settings.hierarchy.occlusion);
    h.get_by_label("Budget to what is seen").click();
    h.run_steps(2);
    let s = h.state().settings.hierarchy;
    assert!(!s.occlusion && !s.params(0.2, None).cut.occlusion);
    h.get_by_label("Freeze cut").click();
    h.run_steps(2);
    h.get_by_label("Colour by level").click();
    h.run_steps(2);
    let s = h.state().settings.hierarchy;
    assert!(s.freeze && s.color_by_level);
    h.get_by_label("Memory budget (MiB)").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.hierarchy.memory_budget_mib, Some(1024));
    // Off again: the other controls are disabled, the values stay.
    h.get_by_label("Hierarchy (LOD) on").click();
    h.run_steps(2);
    let s = h.state().settings.hierarchy;
    assert!(!s.enabled && s.freeze && s.budget.is_some());
}

/// The quads' fast 8-bit blending is a setting of the section (off by
/// default: they blend exactly unless asked).
#[test]
fn fast_blending_is_a_checkbox_of_the_section() {
    let mut h = harness(AppState::new(Settings::default()));
    open_section(&mut h);
    assert!(!h.state().settings.lod.fast_blend);
    h.get_by_label("Fast 8-bit blending").click();
    h.run_steps(2);
    assert!(h.state().settings.lod.fast_blend);
    let params = h.state().settings.lod.view_params(
        splatview::controls::OrbitCamera::framing(None, 1.0).camera(64, 64),
        [0.0; 3],
    );
    assert_eq!(
        params.compose_folding,
        splatview::render::ComposeFolding::All
    );
}

#[test]
fn panel_shows_the_build_and_the_cut() {
    let mut state = AppState::new(Settings::default());
    state.settings.hierarchy.enabled = true;
    state.hierarchy.building = Some(LodBuildStatus {
        name: "biker.ply".into(),
        fraction: 0.4,
        elapsed: std::time::Duration::from_millis(1500),
    });
    let mut h = harness(state);
    open_section(&mut h);
    assert!(
        h.query_by_label_contains("building the hierarchy of biker.ply")
            .is_some()
    );
    // The progress bar's cancel (and the panel's) sends the command.
    // (Its label carries the shortcut: "Cancel Alt+Shift+P".)
    h.query_all_by_label_contains("Cancel")
        .next()
        .expect("a cancel button")
        .click();
    h.run_steps(2);
    let mut state = h.into_state();
    assert!(
        state
            .effects
            .iter()
            .any(|e| matches!(e, splatview::app::state::Effect::CancelLodBuild))
    );
    state.hierarchy.building = None;
    state.hierarchy.active = true;
    state.hierarchy.build = Some(LodBuildInfo {
        hierarchy_ms: 812.0,
        from_cache: true,
        beside_scene: false,
        nodes: 203_665,
        depth: 18,
    });
    state.hierarchy.stats = Some(LodStats {
        cut_splats: 38_186,
        levels: Some((3, 17)),
        cut_ms: 4.25,
        pages_resident: 3,
        pages_total: 4,
        pages_wanted: 1,
        pages_uploaded: 1,
        pool_bytes: 64 << 20,
        ..Default::default()
    });
    state.stats.visible_splats = Some(37_012);
    let mut pool_full = state.clone();
    if let Some(stats) = &mut pool_full.hierarchy.stats {
        stats.pages_uploaded = 0;
        stats.pool_segments = 4;
        stats.view_limit = Some(38_186);
        stats.pool_capped_by_binding = true;
    }
    let mut beside = state.clone();
    if let Some(build) = &mut beside.hierarchy.build {
        build.beside_scene = true;
    }
    let mut h = harness(state);
    open_section(&mut h);
    assert!(
        h.query_by_label_contains("203.7 k nodes, 18 levels; read from the cache in 812 ms")
            .is_some()
    );
    // A hierarchy read from the file beside the scene (scene.ply.lod).
    let mut h = harness(beside);
    open_section(&mut h);
    assert!(
        h.query_by_label_contains("18 levels; read from the file beside the scene in 812 ms")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("38.2 k splats, levels 3-17; 4.25 ms")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("3 / 4 resident, 1 streaming")
            .is_some()
    );
    assert!(h.query_by_label("Levels: root").is_none(), "no legend");
    // Stats count the visible splats of the cut, not of the scene's.
    assert!(h.query_by_label("37.0 k / 38.2 k in the LOD cut").is_some());
    // Wanted pages that found no slot: the pool is full, nothing streams.
    pool_full.settings.hierarchy.color_by_level = true;
    let mut h = harness(pool_full);
    open_section(&mut h);
    assert!(
        h.query_by_label_contains("3 / 4 resident, 1 wanted, pool full")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("38.2 k splats (one view's limit), levels 3-17")
            .is_some()
    );
    // A pool spread over several bindings says so, and that they cap it.
    assert!(
        h.query_by_label_contains(
            "in 4 buffers (all 4 GPU buffer bindings hold, below the memory budget)"
        )
        .is_some()
    );
    // Colour by level shows which colour is which level.
    h.get_by_label("Levels: root");
    h.get_by_label("leaves");
}

/// With LOD on and the flat splat budget set, the panel says that both apply
/// (a new user saw the cut's count beside far fewer visible splats).
#[test]
fn the_panel_says_when_the_splat_budget_applies_to_the_cut_too() {
    let mut state = AppState::new(Settings::default());
    state.settings.lod.splat_budget = Some(20_000);
    let mut h = harness(state);
    open_section(&mut h);
    assert!(
        h.query_by_label_contains("applies too").is_none(),
        "LOD is off"
    );
    h.get_by_label("Hierarchy (LOD) on").click();
    h.run_steps(2);
    h.get_by_label_contains("applies too: at most the 20.0 k most important");
}
