"""Trains the LMS NPA early-warning model (P(over 90 days past due within 90 days)) offline.

Input: the CSV of `pnpm -s lms early-warning dataset` (one row per loan and as-of date: the features of
services/lms/src/modules/early-warning/domain/features.ts and the 90-day outcome). Rows dated on or before
--train-until train a logistic regression on standardised features (scikit-learn); rows dated --oot, whose
outcome window starts after every training window ends, are the out-of-time test. Writes the model JSON the
LMS scores with (services/lms/src/modules/early-warning/model/npa-90d.v1.json) and prints the model card.

    python tools/early-warning/train.py --data train.csv --train-until 2026-05-31 --oot 2026-08-31 --out model.json
"""
import argparse
import csv
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.preprocessing import StandardScaler


def load(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    features = header[2:-1]
    dates = np.array([r[0] for r in rows])
    x = np.array([[float(v) for v in r[2:-1]] for r in rows])
    y = np.array([int(r[-1]) for r in rows])
    return features, dates, x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--train-until", required=True)
    ap.add_argument("--oot", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--c", type=float, default=1.0, help="inverse L2 regularisation strength")
    ap.add_argument("--source", default="", help="how the data set was made (recorded in the model card)")
    a = ap.parse_args()

    features, dates, x, y = load(a.data)
    train = dates <= a.train_until
    oot = dates == a.oot
    if not train.any() or not oot.any():
        sys.exit("no training or out-of-time rows: check --train-until and --oot against the data's dates")
    if a.oot <= a.train_until:
        sys.exit("--oot must come after --train-until")

    scaler = StandardScaler().fit(x[train])
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    z = (x - scaler.mean_) / scale
    lr = LogisticRegression(C=a.c, max_iter=2000, solver="lbfgs").fit(z[train], y[train])
    p_train = lr.predict_proba(z[train])[:, 1]
    p_oot = lr.predict_proba(z[oot])[:, 1]
    flagged = p_oot >= a.threshold
    train_dates = sorted(set(dates[train]))

    card = {
        "target": "reaches more than 90 days past due within 90 days of the as-of date (loans at most 90 dpd, not charged off)",
        "method": "logistic regression (scikit-learn LogisticRegression, lbfgs, L2, C=%g) on standardised features" % a.c,
        "library": "scikit-learn " + __import__("sklearn").__version__,
        "trainingData": a.source,
        "trainingWindow": {"from": train_dates[0], "to": train_dates[-1], "asOfDates": len(train_dates), "rows": int(train.sum()), "positives": int(y[train].sum())},
        "outOfTime": {"asOf": a.oot, "rows": int(oot.sum()), "positives": int(y[oot].sum()), "auc": round(float(roc_auc_score(y[oot], p_oot)), 4),
                      "precisionAtThreshold": round(float(precision_score(y[oot], flagged, zero_division=0)), 4),
                      "recallAtThreshold": round(float(recall_score(y[oot], flagged, zero_division=0)), 4),
                      "flaggedShare": round(float(flagged.mean()), 4)},
        "trainAuc": round(float(roc_auc_score(y[train], p_train)), 4),
    }
    model = {
        "name": "npa-90d",
        "version": 1,
        "threshold": a.threshold,
        "intercept": round(float(lr.intercept_[0]), 6),
        "features": [
            {"name": n, "mean": round(float(m), 6), "scale": round(float(s), 6), "coefficient": round(float(c), 6)}
            for n, m, s, c in zip(features, scaler.mean_, scale, lr.coef_[0])
        ],
        "card": card,
    }
    with open(a.out, "w") as f:
        json.dump(model, f, indent=2)
        f.write("\n")
    json.dump(card, sys.stdout, indent=2)
    print()
    for feat in model["features"]:
        print("  %-22s coefficient %+.4f  (mean %.4f, scale %.4f)" % (feat["name"], feat["coefficient"], feat["mean"], feat["scale"]))


if __name__ == "__main__":
    main()
