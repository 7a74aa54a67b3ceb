"""Datasets and models through the binding.

References: the calci program (the C library called from C) scoring a model
saved by the binding, the logistic function for LR probabilities, and CSV
round trips through libcalci's own reader and writer.
"""

import csv
import subprocess

import numpy as np
import pytest

import calci


def _cohort(n=60, n_features=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n) > 0).astype(int)
    case_ids = [f"c{i}" for i in range(n)]
    patient_ids = [f"P{i // 2}" for i in range(n)]
    return X, y, case_ids, patient_ids


@pytest.fixture
def dataset():
    X, y, case_ids, patient_ids = _cohort()
    return calci.Dataset.from_arrays(X, y, case_ids, patient_ids)


def test_from_arrays_round_trip():
    X, y, case_ids, patient_ids = _cohort(n=10, n_features=3)
    names = ["alpha", "beta", "gamma"]
    splits = ["train"] * 6 + ["test"] * 3 + ["none"]
    groups = ["I"] * 5 + ["III"] * 5
    comparators = np.where(np.arange(10) % 3 == 0, np.nan, np.arange(10) % 2)
    data = calci.Dataset.from_arrays(X, y, case_ids, patient_ids, names, splits=splits,
                                     groups=groups, comparators=comparators,
                                     comparator_names=["radiograph"])
    assert data.n_cases == 10
    assert len(data) == 10
    assert data.feature_names == names
    assert data.case_ids == case_ids
    assert data.patient_ids == patient_ids
    assert data.splits == splits
    assert data.groups == groups
    assert data.comparator_names == ["radiograph"]
    np.testing.assert_array_equal(data.labels, y)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.comparators[:, 0], comparators)


def test_default_ids():
    data = calci.Dataset.from_arrays(np.zeros((3, 2)), [0, 1, -1])
    assert data.case_ids == ["0", "1", "2"]
    assert data.patient_ids == ["0", "1", "2"]
    assert data.feature_names == ["f0", "f1"]
    assert data.splits == ["none"] * 3


def test_from_arrays_uses_positions():
    """A reversed pandas Series keeps its index labels; rows must pair by position."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"case": ["a", "b", "c", "d"], "patient": ["P1", "P2", "P3", "P4"],
                          "group": ["g1", "g2", "g3", "g4"], "label": [1, 0, 1, 0]})
    reversed_frame = frame.iloc[::-1]
    X = np.arange(4.0).reshape(4, 1)
    ds = calci.Dataset.from_arrays(X, reversed_frame.label, case_ids=reversed_frame.case,
                                   patient_ids=reversed_frame.patient,
                                   groups=reversed_frame.group)
    assert ds.case_ids == ["d", "c", "b", "a"]
    assert ds.patient_ids == ["P4", "P3", "P2", "P1"]
    assert ds.groups == ["g4", "g3", "g2", "g1"]


def test_csv_round_trip(tmp_path, dataset):
    path = tmp_path / "cohort.csv"
    dataset.write_csv(path)
    again = calci.Dataset.read_csv(path)
    assert again.case_ids == dataset.case_ids
    assert again.patient_ids == dataset.patient_ids
    assert again.feature_names == dataset.feature_names
    np.testing.assert_array_equal(again.labels, dataset.labels)
    # 17 significant digits restore every double exactly.
    np.testing.assert_array_equal(again.X, dataset.X)


def test_duplicate_case_id_raises():
    with pytest.raises(calci.ArgumentError) as info:
        calci.Dataset.from_arrays(np.zeros((2, 1)), [0, 1], case_ids=["a", "a"])
    assert info.value.status_name == "CALCI_ERR_ARGUMENT"


def test_invalid_label_raises():
    with pytest.raises(calci.ArgumentError):
        calci.Dataset.from_arrays(np.zeros((2, 1)), [0, 3])
    with pytest.raises(ValueError, match="label"):
        calci.Dataset.from_arrays(np.zeros((2, 1)), [0, 0.5])


def test_read_csv_errors(tmp_path):
    with pytest.raises(calci.FileError) as info:
        calci.Dataset.read_csv(tmp_path / "absent.csv")
    assert info.value.status_name == "CALCI_ERR_IO"
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,label,f1\na,1,0.5\nb,0,abc\n")
    with pytest.raises(calci.CalciError) as info:
        calci.Dataset.read_csv(bad)
    assert info.value.status_name in ("CALCI_ERR_FORMAT", "CALCI_ERR_DATA")
    assert "bad.csv" in info.value.message


def test_split_by_patient_keeps_patients_together(dataset):
    dataset.split_by_patient(0.7, seed=3)
    side = {}
    for patient, split in zip(dataset.patient_ids, dataset.splits):
        assert split in ("train", "test")
        assert side.setdefault(patient, split) == split
    with pytest.raises(calci.ArgumentError):
        dataset.split_by_patient(1.5)


def test_lr_probability_is_logistic_of_decision(dataset):
    model = calci.Model.fit(dataset, classifier="lr")
    result = model.predict(dataset)
    assert result.probability.shape == (dataset.n_cases,)
    # Logistic regression: p = 1 / (1 + exp(-d)).
    np.testing.assert_allclose(result.probability, 1 / (1 + np.exp(-result.decision)),
                               rtol=1e-12, atol=1e-15)
    assert model.classifier == "lr"
    assert len(model.coefficients) == len(model.feature_names)
    assert set(model.feature_names) <= set(dataset.feature_names)
    assert 0.0 <= model.cv_auc <= 1.0
    assert model.cv_auc_by_k[len(model.feature_names) - 1] == model.cv_auc


def test_decision_is_linear_in_z_scores(dataset):
    model = calci.Model.fit(dataset, k=3, pcc=None)
    decision = model.predict(dataset).decision
    X = dataset.X
    columns = [dataset.feature_names.index(n) for n in model.feature_names]
    # The decision is w . z + b, with z the features z-scored on the fitted cases,
    # so it is an affine function of the raw selected features: a least-squares fit
    # on [X_sel, 1] reproduces it exactly.
    design = np.column_stack([X[:, columns], np.ones(len(X))])
    solution, *_ = np.linalg.lstsq(design, decision, rcond=None)
    np.testing.assert_allclose(design @ solution, decision, rtol=0, atol=1e-10)


def test_fixed_k_and_svm(dataset):
    model = calci.Model.fit(dataset, classifier="svm", k=3, C=0.5)
    assert model.classifier == "svm"
    assert len(model.feature_names) == 3
    probability = model.predict(dataset).probability
    assert np.all((probability > 0) & (probability < 1))


def test_fit_uses_training_split(dataset):
    dataset.split_by_patient(0.7, seed=5)
    train = np.array(dataset.splits) == "train"
    by_split = calci.Model.fit(dataset, k=2)
    by_rows = calci.Model.fit(dataset, rows=train, k=2)
    assert by_split.feature_names == by_rows.feature_names
    np.testing.assert_array_equal(by_split.coefficients, by_rows.coefficients)
    test_rows = np.flatnonzero(~train)
    assert by_split.predict(dataset, rows=test_rows).probability.shape == (test_rows.size,)


def test_options_errors(dataset):
    with pytest.raises(calci.ParameterError) as info:
        calci.Model.fit(dataset, classifier="forest")
    assert info.value.status_name == "CALCI_ERR_PARAMETER"
    with pytest.raises(calci.ParameterError):
        calci.Model.fit(dataset, no_such_option=1)
    options = calci.Options(classifier="svm", C=2.0)
    assert options.get("classifier") == "svm"
    assert float(options.get("C")) == 2.0
    assert calci.Model.fit(dataset, options=options, k=2).classifier == "svm"


def test_single_class_raises_data_error():
    X, _, case_ids, patient_ids = _cohort()
    data = calci.Dataset.from_arrays(X, np.ones(len(X), dtype=int), case_ids, patient_ids)
    with pytest.raises(calci.DataError) as info:
        calci.Model.fit(data)
    assert info.value.status_name == "CALCI_ERR_DATA"


def test_missing_feature_raises_not_found(dataset):
    model = calci.Model.fit(dataset, k=2)
    other = calci.Dataset.from_arrays(np.zeros((2, 1)), [0, 1], feature_names=["unrelated"])
    with pytest.raises(calci.NotFoundError) as info:
        model.predict(other)
    assert info.value.status_name == "CALCI_ERR_NOT_FOUND"
    assert any(name in info.value.message for name in model.feature_names)


def test_save_load_round_trip(tmp_path, dataset):
    model = calci.Model.fit(dataset)
    model.set_info("extraction", "preset=yu2021")
    path = tmp_path / "lr.model"
    model.save(path)
    loaded = calci.Model.load(path)
    assert loaded.feature_names == model.feature_names
    assert loaded.info("extraction") == "preset=yu2021"
    assert loaded.info("absent") is None
    before, after = model.predict(dataset), loaded.predict(dataset)
    np.testing.assert_allclose(after.probability, before.probability, rtol=1e-14, atol=0)
    np.testing.assert_allclose(after.decision, before.decision, rtol=1e-13, atol=1e-15)
    assert loaded.threshold_high_sensitivity == model.threshold_high_sensitivity


def test_load_errors(tmp_path):
    with pytest.raises(calci.FileError):
        calci.Model.load(tmp_path / "absent.model")
    garbage = tmp_path / "garbage.model"
    garbage.write_text("not a model\n")
    with pytest.raises(calci.FormatError):
        calci.Model.load(garbage)


def test_predictions_match_calci_program(tmp_path, dataset, calci_program):
    model = calci.Model.fit(dataset)
    model_path, data_path, out = tmp_path / "lr.model", tmp_path / "cases.csv", tmp_path / "p.csv"
    model.save(model_path)
    dataset.write_csv(data_path)
    subprocess.run([str(calci_program), "predict", str(model_path), str(data_path), "--out",
                    str(out)], check=True, capture_output=True)
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    result = calci.Model.load(model_path).predict(dataset)
    assert [r["case_id"] for r in rows] == dataset.case_ids
    # The program prints 17 significant digits.
    np.testing.assert_allclose([float(r["score"]) for r in rows], result.probability,
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose([float(r["decision"]) for r in rows], result.decision,
                               rtol=1e-15, atol=1e-300)


def test_to_frame(dataset):
    pd = pytest.importorskip("pandas")
    frame = dataset.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == dataset.case_ids
    assert list(frame.columns[:3]) == ["patient_id", "label", "split"]
    np.testing.assert_array_equal(frame[dataset.feature_names].to_numpy(), dataset.X)
