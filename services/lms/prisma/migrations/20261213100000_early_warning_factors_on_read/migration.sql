-- The early-warning factors are the model's arithmetic on the stored features (coefficient × (x − mean) ÷ scale per
-- feature), so end of day no longer stores them: building and writing twelve of them per loan and day was about half
-- of the re-score's time (BENCHMARKS.md, "End of day at scale"). A score written from now on has no contributions;
-- readers derive them from `features` with the model `model_version` names (its file stays in the service while its
-- scores are kept). Scores written before keep theirs.
ALTER TABLE "early_warning_scores" ALTER COLUMN "contributions" DROP NOT NULL;
