"""The safety pipeline: community.safety.pipeline.run_pipeline is its one entry."""
