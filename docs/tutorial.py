#!/usr/bin/env python3
"""Reproduce the study's CT-radiomics analysis in Python on simulated lesions.

Usage: tutorial.py [OUTPUT_DIR]

Runs every step of docs/tutorial.md and writes tutorial-box.png and
tutorial-roc.png to OUTPUT_DIR (default: the folder of this script). The data
are read from $RADIOMICS_REFDATA/calci_sim_on_sts, else from
../shared/data/calci_sim_on_sts beside the repository; when they are missing
the script prints a SKIP line and exits 0.

The file is a notebook in "percent" format: docs/make_tutorial.sh runs it cell
by cell (the "# %%" lines) and writes each cell's code and output into
docs/tutorial.md.
"""

# %% [markdown]
# # Tutorial: the study's analysis in Python, on real CT
#
# This page runs the analysis of Yu et al. (Quant Imaging Med Surg 2021;11:4617-4626) with
# the Python binding `calci`. It builds box masks on CT, extracts the 774 `yu2021` features
# and splits the boxes by patient. It fits logistic regression and a linear SVM with
# cross-validated feature selection, draws test-set ROC curves with DeLong intervals,
# compares the models with a radiograph read and runs the same model inside scikit-learn.
# `docs/study.md` describes each step of the method, and `calci study` runs the same steps
# from the command line.
#
# **The lesions are simulated.** The data set `calci_sim_on_sts` contains real CT: the CT of
# FDG-PET/CT scans of soft-tissue-sarcoma patients (TCIA collection "Soft-tissue-Sarcoma",
# CC BY 3.0). A program inserted synthetic calciphylaxis-like lesions into their
# subcutaneous fat: calcified small vessels, fat stranding, skin thickening and swelling.
# No patient in it has calciphylaxis. Label 1 means "a lesion was inserted in this box" and
# label 0 "untouched tissue", and the radiograph reads are simulated too. The numbers below
# measure how well the pipeline finds inserted lesions, and they are no estimate of
# diagnostic accuracy.
#
# ## Running it
#
# The page is generated: `docs/make_tutorial.sh` runs `docs/tutorial.py` cell by cell and
# rewrites the code, the printed output and both figures here, so edit the script, not this
# page. To run the script alone after `make libs`:
#
#     PYTHONPATH=bindings/python/src CALCI_LIBRARY=build/lib \
#         /usr/bin/python3 docs/tutorial.py /tmp/tutorial-out
#
# It writes the figures to the folder given (default `docs/`) and needs the Debian packages
# `python3-numpy`, `python3-pandas`, `python3-matplotlib` and, for step 6,
# `python3-sklearn`. The data folder is `$RADIOMICS_REFDATA/calci_sim_on_sts`, else
# `../shared/data/calci_sim_on_sts` beside the repository. Without it the script prints a
# `SKIP` line and exits 0.

# %%
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # render to files, no display needed
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import calci

pd.set_option("display.width", 100)
pd.set_option("display.max_columns", 12)
pd.set_option("display.precision", 3)
pd.set_option("display.max_colwidth", 60)

REPOSITORY = Path(__file__).resolve().parent.parent
data_root = os.environ.get("RADIOMICS_REFDATA") or REPOSITORY.parent / "shared" / "data"
DATA = Path(data_root) / "calci_sim_on_sts"
if not (DATA / "manifest.csv").is_file():
    print(f"SKIP tutorial: {DATA / 'manifest.csv'} not found. Set RADIOMICS_REFDATA to the "
          f"folder that contains calci_sim_on_sts.")
    sys.exit(0)

OUTPUT_DIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
OUTPUT_DIR.mkdir(parents=True, exist_ok=True)

print("libradiomics", calci.RADIOMICS_VERSION, "| libcalci", calci.CALCI_VERSION)

# %% [markdown]
# ## 1. Manifest, CT and the 50 mm box mask
#
# The manifest has one row per box: the case id, the patient, the label, the CT crop
# (an 80 mm cube cut from the patient's scan) and the box centre in world RAS millimetres.
# Several boxes come from one patient, so the split and the cross-validation below keep a
# patient's boxes together.

# %%
manifest = pd.read_csv(DATA / "manifest.csv")
print(manifest.head())
print()
print(f"{len(manifest)} boxes from {manifest.patient_id.nunique()} patients")
print(manifest.groupby("label").agg(boxes=("case_id", "size"),
                                    patients=("patient_id", "nunique")))

# %% [markdown]
# `calci.box_mask` builds the region of interest of box mode: the subcutaneous tissue inside
# a cube of `size_mm` centred on the box centre. That tissue is skin, fat, small vessels and
# calcifications, without muscle or bone. The cube of 50 mm contains 51 × 51 × 15 voxels of
# this CT (0.98 × 0.98 × 3.27 mm). The four boxes of patient STS_002:

# %%
def read_case(row):
    """Read one crop and build its box mask."""
    image = calci.Volume.read(DATA / row.image)
    center = (row.box_x, row.box_y, row.box_z)
    return image, calci.box_mask(image, center, size_mm=row.box_size)


rows = []
for row in manifest[manifest.patient_id == "STS_002"].itertuples():
    image, mask = read_case(row)
    inside = mask.array > 0
    rows.append({"case_id": row.case_id, "label": row.label, "mask_voxels": int(inside.sum()),
                 "of_cube": inside.sum() / (51 * 51 * 15),
                 "mean_HU": image.array[inside].mean()})
print(image)
print(pd.DataFrame(rows).set_index("case_id"))

# %% [markdown]
# The figure shows one axial slice through the box centre of a lesion box and of a control
# box of the same patient. It outlines the box (dashed), the mask (red) and, for the lesion,
# the voxels the simulation changed (yellow, from the data set's truth files).
# `Volume.array` is indexed `[z, y, x]`. This CT's i axis runs towards the patient's left
# and j towards posterior, so plotting `array[k]` as it is gives the usual radiological view.
# The thin strips under the body are low-density voxels (about -750 to -370 HU) in contact
# with the skin. The segmentation counts them as body or skin edge (steps 3 and 8 of
# `docs/segmentation.md`), so they are part of the mask.

# %%
figure, axes = plt.subplots(1, 2, figsize=(8, 4.2))
for ax, case_id in zip(axes, ["STS_002_b1", "STS_002_b2"]):
    row = next(manifest[manifest.case_id == case_id].itertuples())
    image, mask = read_case(row)
    i, j, k = np.rint(image.world_to_index((row.box_x, row.box_y, row.box_z))).astype(int)
    ax.imshow(image.array[k], cmap="gray", vmin=-250, vmax=250)
    ax.contour(mask.array[k], levels=[0.5], colors="red", linewidths=0.8)
    if row.label == 1:
        truth = calci.Volume.read(DATA / "truth" / f"{case_id}_lesion.nii.gz")
        ax.contour(truth.array[k], levels=[0.5], colors="yellow", linewidths=0.8)
    half_i = 25 / image.spacing[0]  # cube half-edge in voxels
    half_j = 25 / image.spacing[1]
    ax.add_patch(plt.Rectangle((i - half_i, j - half_j), 2 * half_i, 2 * half_j, fill=False,
                               edgecolor="deepskyblue", linestyle="--", linewidth=0.8))
    kind = "lesion inserted" if row.label == 1 else "control"
    ax.set_title(f"{case_id}: {kind}, slice k = {k}", fontsize=9)
    ax.set_axis_off()
figure.tight_layout()
figure.savefig(OUTPUT_DIR / "tutorial-box.png", dpi=80)
plt.close(figure)

# %% [markdown]
# ![Axial CT slices of a lesion box and a control box with the box, the mask and the
# simulated lesion outlined](tutorial-box.png)
#
# ## 2. The yu2021 features of all 111 boxes
#
# The `yu2021` preset computes 774 features: first-order, GLCM, GLRLM, GLSZM and GLDM on the
# original image and the 8 sub-bands of a `coif1` wavelet, after normalisation and
# resampling to 1 mm (`docs/study.md` lists the settings). The library keeps no global state
# and ctypes releases the GIL during each C call, so a thread pool extracts several boxes at
# once.

# %%
params = calci.Params("yu2021")


def extract_case(row):
    image, mask = read_case(row)
    return calci.extract(image, mask, params)


workers = os.cpu_count() or 1
start = time.perf_counter()
with ThreadPoolExecutor(max_workers=workers) as pool:
    results = list(pool.map(extract_case, manifest.itertuples()))
elapsed = time.perf_counter() - start

features = pd.DataFrame(results, index=manifest.case_id)
print(f"{features.shape[0]} boxes x {features.shape[1]} features in {elapsed:.1f} s "
      f"({workers} threads, {1000 * elapsed / len(results):.0f} ms per box)")
print(features.iloc[:3, :4])

# %% [markdown]
# Each result also reports the smallest number of grey levels that discretisation left over
# the 9 images. Texture features degenerate below about 8, and `calci study` warns then. The
# preset's bin width (`docs/study.md`) decides how often that happens on this cohort:

# %%
min_grey_levels = pd.Series([r.min_grey_levels for r in results], index=manifest.case_id)
print(min_grey_levels.describe()[["min", "50%", "max"]])
print(f"boxes with fewer than 8 grey levels in some image: {(min_grey_levels < 8).sum()}")

# %% [markdown]
# ## 3. Split by patient, fit both models
#
# `Dataset.from_arrays` builds the library's table from NumPy arrays: features, labels, case
# and patient ids, the study group and the comparator reads (NaN where a box has none).
# `split_by_patient` then sends 70 % of the patients to training, stratified by label, with
# the same rule and default seed as `calci study`. With libcalci 0.1.0, `calci study` on this
# manifest chooses the same features and reports the same AUCs as the steps below.

# %%
comparators = manifest[["cmp_radiograph", "cmp_scintigraphy"]].to_numpy(dtype=float)
dataset = calci.Dataset.from_arrays(
    features.to_numpy(), manifest.label,
    case_ids=manifest.case_id, patient_ids=manifest.patient_id,
    feature_names=features.columns, groups=manifest.group,
    comparators=comparators, comparator_names=["radiograph", "scintigraphy"])
dataset.split_by_patient(train_fraction=0.7, seed=1)

split = pd.Series(dataset.splits, index=manifest.case_id, name="split")
print(pd.crosstab(split, manifest.label.to_numpy(), colnames=["label"], margins=True))
sides = manifest.groupby("patient_id").case_id.apply(lambda ids: split[ids].nunique())
print(f"patients with boxes on both sides: {(sides > 1).sum()}")

# %% [markdown]
# `Model.fit` fits on the training cases. Inside each of 5 folds (stratified, grouped by
# patient) it z-scores, drops one of each feature pair with |r| > 0.99, ranks by Relief and
# fits the classifier on the top k features, k = 1 … 20. The k with the best pooled
# out-of-fold AUC is kept and the model is refitted on the whole training set. The two
# operating points (sensitivity ≥ 0.90 and specificity ≥ 0.90) are fixed on the
# out-of-fold scores, before the test set is seen.

# %%
models = {}
for name in ["lr", "svm"]:
    start = time.perf_counter()
    models[name] = calci.Model.fit(dataset, classifier=name)
    print(f"{models[name]}  ({time.perf_counter() - start:.2f} s)")

for name, model in models.items():
    chosen = pd.DataFrame({"coefficient": model.coefficients}, index=model.feature_names)
    print(f"\n{name}: k = {len(chosen)}, CV AUC {model.cv_auc:.3f}, intercept "
          f"{model.intercept:.3f}")
    print(chosen)

cv_by_k = pd.DataFrame({name: m.cv_auc_by_k for name, m in models.items()},
                       index=pd.RangeIndex(1, 21, name="k"))
print("\nCV AUC by k")
print(cv_by_k)

# %% [markdown]
# Coefficients apply to z-scored features (training mean and SD), so their sizes compare.
# Both models keep mostly high-pass wavelet texture and the maximum HU, the features one
# expects to respond to the inserted calcified vessels: small, bright and thin.
#
# ## 4. Test set: ROC curves and operating points
#
# `Model.predict` scores the test cases; features are matched by name.
# `calci.roc(labels, scores, direction="<")` builds the curve with positives scoring higher,
# and `Roc.ci()` gives DeLong's 95 % interval of the AUC, as pROC's `ci.auc` does by default.

# %%
test = np.flatnonzero(split.to_numpy() == "test")
test_labels = manifest.label.to_numpy()[test]
scores = {name: model.predict(dataset, rows=test).probability for name, model in models.items()}
curves = {name: calci.roc(test_labels, scores[name], direction="<") for name in models}

figure, ax = plt.subplots(figsize=(4.5, 4.5))
for name, curve in curves.items():
    low, high = curve.ci()
    points = curve.points
    ax.plot(1 - points.specificity, points.sensitivity,
            label=f"{name.upper()}: AUC {curve.auc:.3f} (95% CI {low:.3f}-{high:.3f}, DeLong)")
    print(f"{name}: AUC {curve.auc:.3f}, 95% CI {low:.3f}-{high:.3f} (DeLong), "
          f"{curve.positives} positives, {curve.negatives} negatives")
ax.plot([0, 1], [0, 1], color="grey", linewidth=0.6, linestyle=":")
ax.set_xlabel("1 - specificity")
ax.set_ylabel("sensitivity")
ax.set_title("Test set (simulated lesions)", fontsize=10)
ax.legend(loc="lower right", fontsize=7)
figure.tight_layout()
figure.savefig(OUTPUT_DIR / "tutorial-roc.png", dpi=80)
plt.close(figure)

# %% [markdown]
# ![Test-set ROC curves of both models with the DeLong interval of the AUC in the
# legend](tutorial-roc.png)
#
# A perfect separation has DeLong variance 0, so its interval collapses to a point. With 33
# test boxes, such an interval understates the uncertainty. At each operating point a box is
# called positive when its probability is at or above the threshold fixed during training:

# %%
def rates(labels, scores, threshold):
    """Return the 2x2 counts and rates when score >= threshold calls a box positive."""
    called = scores >= threshold
    tp = int(np.sum(called & (labels == 1)))
    fp = int(np.sum(called & (labels == 0)))
    tn = int(np.sum(~called & (labels == 0)))
    fn = int(np.sum(~called & (labels == 1)))

    def ratio(a, b):
        return a / b if b else float("nan")

    return {"threshold": threshold, "TP": tp, "FP": fp, "TN": tn, "FN": fn,
            "sensitivity": ratio(tp, tp + fn), "specificity": ratio(tn, tn + fp),
            "PPV": ratio(tp, tp + fp), "NPV": ratio(tn, tn + fn)}


table = []
for name, model in models.items():
    for point, threshold in [("high sensitivity", model.threshold_high_sensitivity),
                             ("high specificity", model.threshold_high_specificity)]:
        table.append({"model": name, "point": point,
                      **rates(test_labels, scores[name], threshold)})
print(pd.DataFrame(table).set_index(["model", "point"]))

# %% [markdown]
# On these cross-validation scores both targets of 0.90 can be met at once, so the
# "high-sensitivity" threshold (best specificity with sensitivity ≥ 0.90) may lie above the
# "high-specificity" one (best sensitivity with specificity ≥ 0.90).
#
# ## 5. DeLong test against the radiograph read
#
# The simulated radiograph read (`cmp_radiograph`, 0/1) exists only for 6 patients. The
# test compares each model with the read on the test boxes that have one, as pROC's
# `roc.test(..., method = "delong", paired = TRUE)` does. Both curves must use the same
# cases in the same order.

# %%
radiograph = comparators[test, 0]
has_read = ~np.isnan(radiograph)
subset_labels = test_labels[has_read]
print(f"test boxes with a radiograph read: {has_read.sum()} "
      f"({(subset_labels == 1).sum()} positive, {(subset_labels == 0).sum()} negative)")

read_curve = calci.roc(subset_labels, radiograph[has_read], direction="<")
print(f"radiograph: AUC {read_curve.auc:.3f}")
for name in models:
    model_curve = calci.roc(subset_labels, scores[name][has_read], direction="<")
    result = calci.delong_test(model_curve, read_curve)
    print(f"{name} vs radiograph: AUC {model_curve.auc:.3f} vs {read_curve.auc:.3f}, "
          f"difference {result.difference:.3f} (95% CI {result.ci_low:.3f} to "
          f"{result.ci_high:.3f}), z = {result.z:.2f}, p = {result.p:.2g}")

# %% [markdown]
# With so few boxes and a model that separates them perfectly (variance 0), the test's
# normal approximation rests on the radiograph's variance alone, and the p-value is far
# smaller than such a sample can support. Report the difference and its interval, and treat
# the test as a demonstration of the call.
#
# ## 6. The same model as a scikit-learn estimator
#
# `calci.CalciClassifier` wraps the same fit (z-score, Pearson filter, Relief, k by
# cross-validation) as a scikit-learn classifier, so it works in `cross_val_score`,
# pipelines and grid searches. Here `GroupKFold` keeps each patient's boxes in one outer fold,
# and the `groups` fit parameter groups the inner cross-validation that chooses k by patient
# too. scikit-learn 1.2 (Debian 12) takes it as `fit_params`; newer releases call it
# `params`.

# %%
try:
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.model_selection import GroupKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
except ImportError:
    print("scikit-learn is not installed (Debian: python3-sklearn); step 6 skipped")
else:
    X = features.to_numpy()
    y = manifest.label.to_numpy()
    patients = manifest.patient_id.to_numpy()

    start = time.perf_counter()
    auc = cross_val_score(calci.CalciClassifier(classifier="lr"), X, y, groups=patients,
                          cv=GroupKFold(n_splits=5), scoring="roc_auc",
                          fit_params={"groups": patients})
    print(f"lr, 5 patient-grouped folds: AUC {np.round(auc, 3)}, mean {auc.mean():.3f} "
          f"({time.perf_counter() - start:.1f} s)")

    # In a pipeline, fit parameters are addressed as <step>__<name>.
    pipeline = make_pipeline(VarianceThreshold(), calci.CalciClassifier(classifier="svm"))
    auc = cross_val_score(pipeline, X, y, groups=patients, cv=GroupKFold(n_splits=5),
                          scoring="roc_auc", fit_params={"calciclassifier__groups": patients})
    print(f"VarianceThreshold + svm: AUC {np.round(auc, 3)}, mean {auc.mean():.3f}")

# %% [markdown]
# These AUCs use all 111 boxes in 5 outer folds, so they differ from the single 70/30 split
# above. Each outer fold reruns the whole fit, including the choice of k, on its training
# part only.
