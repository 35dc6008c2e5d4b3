//! How each library report becomes files in a run folder: CSV tables and plots, all written
//! through [`crate::output::RunDir`].

pub mod consistency;
pub mod design;
pub mod field;
pub mod figures;
pub mod micromag;
pub mod sweep;
pub mod training;
pub mod transfer;
pub mod wall;
