//! A 3DGS training output folder (`train.py -m DIR`):
//! `DIR/point_cloud/iteration_N/point_cloud.ply` for each saved iteration,
//! `DIR/cameras.json` (every camera, `scene/__init__.py`) and `DIR/cfg_args`, the
//! Python `Namespace(...)` of the training arguments, whose `source_path` is the
//! dataset with the photos (`images` names its photo folder, `white_background`
//! the background it was trained on).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Dataset, DatasetError, DatasetLayout, colmap_dataset, colmap_files, inria};

/// What a training output folder holds.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingOutput {
    pub dir: PathBuf,
    /// `point_cloud.ply` of the highest iteration.
    pub scene: PathBuf,
    pub iteration: u64,
    /// The training arguments from `cfg_args` (strings unquoted); empty without one.
    pub args: BTreeMap<String, String>,
}

/// The training output in `dir`, or `None` when `dir` has neither `point_cloud/`
/// nor `cfg_args`.
pub fn find_training_output(dir: &Path) -> Result<Option<TrainingOutput>, DatasetError> {
    let point_clouds = dir.join("point_cloud");
    let cfg_args = dir.join("cfg_args");
    if !point_clouds.is_dir() && !cfg_args.is_file() {
        return Ok(None);
    }
    let invalid = |reason: String| DatasetError::TrainingOutput {
        path: dir.to_owned(),
        reason,
    };
    let entries = std::fs::read_dir(&point_clouds).map_err(|source| DatasetError::Io {
        path: point_clouds.clone(),
        source,
    })?;
    let (iteration, scene) = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let iteration: u64 = name.to_str()?.strip_prefix("iteration_")?.parse().ok()?;
            let ply = entry.path().join("point_cloud.ply");
            ply.is_file().then_some((iteration, ply))
        })
        .max_by_key(|(iteration, _)| *iteration)
        .ok_or_else(|| invalid("no point_cloud/iteration_*/point_cloud.ply".into()))?;
    let args = if cfg_args.is_file() {
        let text = std::fs::read_to_string(&cfg_args).map_err(|source| DatasetError::Io {
            path: cfg_args.clone(),
            source,
        })?;
        parse_cfg_args(&text).map_err(|reason| DatasetError::TrainingOutput {
            path: cfg_args.clone(),
            reason,
        })?
    } else {
        BTreeMap::new()
    };
    Ok(Some(TrainingOutput {
        dir: dir.to_owned(),
        scene,
        iteration,
        args,
    }))
}

impl TrainingOutput {
    /// The background the model was trained on: white when `cfg_args` says
    /// `white_background=True`, else black.
    pub fn background(&self) -> [f32; 3] {
        if self.args.get("white_background").map(String::as_str) == Some("True") {
            [1.0; 3]
        } else {
            [0.0; 3]
        }
    }

    /// The dataset `source_path` names, relative paths taken from the output
    /// folder (3DGS stores an absolute path).
    pub fn source_path(&self) -> Result<PathBuf, DatasetError> {
        let invalid = |reason: String| DatasetError::TrainingOutput {
            path: self.dir.clone(),
            reason,
        };
        let source = self.args.get("source_path").ok_or_else(|| {
            invalid("cfg_args has no source_path; name the dataset with --dataset".into())
        })?;
        let path = self.dir.join(source);
        if !path.is_dir() {
            return Err(invalid(format!(
                "cfg_args names the dataset `{source}`, which is not a folder here; name the dataset with --dataset"
            )));
        }
        Ok(path)
    }

    /// The cameras of `cameras.json` (or, without it, of the source's COLMAP
    /// model) with the photos of the source dataset's `images` folder (`images`
    /// overrides `cfg_args`).
    pub fn dataset(&self, images: Option<&str>) -> Result<Dataset, DatasetError> {
        let source = self.source_path()?;
        let images = images
            .or(self.args.get("images").map(String::as_str))
            .unwrap_or("images");
        let cameras_json = self.dir.join("cameras.json");
        if cameras_json.is_file() {
            let mut dataset =
                inria::cameras_json_with_photos(&self.dir, &cameras_json, &source.join(images))?;
            dataset.layout = DatasetLayout::TrainingOutput;
            return Ok(dataset);
        }
        let files = colmap_files(&source).ok_or_else(|| DatasetError::TrainingOutput {
            path: self.dir.clone(),
            reason: format!(
                "no cameras.json, and `{}` has no COLMAP model in sparse/0",
                source.display()
            ),
        })?;
        let mut dataset = colmap_dataset(&source, &files, images)?;
        dataset.layout = DatasetLayout::TrainingOutput;
        Ok(dataset)
    }
}

/// Parses `Namespace(key=value, ...)` as Python's `repr` writes it. String values
/// are unquoted (`'...'` or `"..."`, with backslash escapes); other values are kept
/// as written (`True`, `-1`, `None`).
pub fn parse_cfg_args(text: &str) -> Result<BTreeMap<String, String>, String> {
    let body = text
        .trim()
        .strip_prefix("Namespace(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(|| format!("expected `Namespace(...)`, found `{}`", text.trim()))?;
    let mut args = BTreeMap::new();
    let mut chars = body.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        if chars.peek().is_none() {
            return Ok(args);
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|&c| c != '=')).collect();
        if chars.next() != Some('=') {
            return Err(format!("expected `key=value`, found `{key}`"));
        }
        let value = match chars.peek().copied() {
            Some(quote @ ('\'' | '"')) => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => value.extend(chars.next()),
                        Some(c) if c == quote => break,
                        Some(c) => value.push(c),
                        None => {
                            return Err(format!(
                                "the string value of `{}` is not closed",
                                key.trim()
                            ));
                        }
                    }
                }
                value
            }
            _ => std::iter::from_fn(|| chars.next_if(|&c| c != ','))
                .collect::<String>()
                .trim()
                .to_owned(),
        };
        args.insert(key.trim().to_owned(), value);
    }
}
