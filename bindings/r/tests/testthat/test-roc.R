# ROC curves, DeLong intervals and DeLong's test against pROC (run at test
# time) on pROC's aSAH data: controls outcome "Good", cases "Poor".

asah_data <- function() {
  skip_if_not_installed("pROC")
  env <- new.env()
  utils::data("aSAH", package = "pROC", envir = env)
  env$aSAH
}

predictors <- c("s100b", "wfns", "ndka")
tolerance <- 1e-9

test_that("roc matches pROC for every predictor and direction", {
  asah <- asah_data()
  for (name in predictors) {
    for (direction in c("auto", "<", ">")) {
      ours <- calci_roc(asah$outcome, asah[[name]], levels = c("Good", "Poor"),
                        direction = direction)
      ref <- pROC::roc(asah$outcome, asah[[name]], levels = c("Good", "Poor"),
                       direction = direction, quiet = TRUE)
      label <- paste(name, direction)
      expect_equal(ours$direction, ref$direction, info = label)
      expect_equal(ours$auc, as.numeric(ref$auc), tolerance = tolerance, info = label)
      expect_equal(ours$cases, length(ref$cases), info = label)
      expect_equal(ours$controls, length(ref$controls), info = label)
      expect_equal(ours$thresholds, ref$thresholds, tolerance = tolerance, info = label)
      expect_equal(ours$sensitivities, ref$sensitivities, tolerance = tolerance, info = label)
      expect_equal(ours$specificities, ref$specificities, tolerance = tolerance, info = label)
    }
  }
})

test_that("DeLong variance and CI match pROC", {
  asah <- asah_data()
  for (name in predictors) {
    ours <- calci_roc(asah$outcome, asah[[name]], levels = c("Good", "Poor"))
    ref <- pROC::roc(asah$outcome, asah[[name]], levels = c("Good", "Poor"), quiet = TRUE)
    expect_equal(ours$variance, pROC::var(ref, method = "delong"), tolerance = tolerance,
                 info = name)
    for (level in c(0.95, 0.9)) {
      interval <- calci::ci(ours, conf.level = level)
      ref_interval <- as.numeric(pROC::ci.auc(ref, conf.level = level, method = "delong"))
      expect_equal(unname(interval[["lower"]]), ref_interval[1], tolerance = tolerance,
                   info = paste(name, level))
      expect_equal(unname(interval[["auc"]]), ref_interval[2], tolerance = tolerance,
                   info = paste(name, level))
      expect_equal(unname(interval[["upper"]]), ref_interval[3], tolerance = tolerance,
                   info = paste(name, level))
    }
  }
})

test_that("DeLong paired test matches pROC roc.test", {
  asah <- asah_data()
  pairs <- utils::combn(predictors, 2)
  for (i in seq_len(ncol(pairs))) {
    first <- pairs[1, i]
    second <- pairs[2, i]
    ours <- calci_delong_test(
      calci_roc(asah$outcome, asah[[first]], levels = c("Good", "Poor")),
      calci_roc(asah$outcome, asah[[second]], levels = c("Good", "Poor")))
    ref <- pROC::roc.test(
      pROC::roc(asah$outcome, asah[[first]], levels = c("Good", "Poor"), quiet = TRUE),
      pROC::roc(asah$outcome, asah[[second]], levels = c("Good", "Poor"), quiet = TRUE),
      method = "delong", paired = TRUE)
    label <- paste(first, "vs", second)
    expect_s3_class(ours, "htest")
    expect_equal(unname(ours$statistic), unname(ref$statistic), tolerance = tolerance,
                 info = label)
    expect_equal(ours$p.value, ref$p.value, tolerance = tolerance, info = label)
    expect_equal(as.numeric(ours$conf.int), as.numeric(ref$conf.int), tolerance = tolerance,
                 info = label)
    expect_equal(unname(ours$estimate), unname(ref$estimate), tolerance = tolerance,
                 info = label)
  }
})

test_that("DeLong test keeps each curve's direction", {
  asah <- asah_data()
  ours <- calci_delong_test(
    calci_roc(asah$outcome, asah$s100b, levels = c("Good", "Poor"), direction = ">"),
    calci_roc(asah$outcome, asah$ndka, levels = c("Good", "Poor"), direction = "<"))
  # pROC warns that the directions differ; the numbers are still its own.
  ref <- suppressWarnings(pROC::roc.test(
    pROC::roc(asah$outcome, asah$s100b, levels = c("Good", "Poor"), direction = ">",
              quiet = TRUE),
    pROC::roc(asah$outcome, asah$ndka, levels = c("Good", "Poor"), direction = "<",
              quiet = TRUE),
    method = "delong", paired = TRUE))
  expect_equal(unname(ours$statistic), unname(ref$statistic), tolerance = tolerance)
  expect_equal(ours$p.value, ref$p.value, tolerance = tolerance)
})

test_that("roc reads the aSAH CSV export like the data set", {
  path <- refdata_path("pROC_aSAH/aSAH.csv")
  asah <- asah_data()
  table <- utils::read.csv(path)
  for (name in predictors) {
    from_csv <- calci_roc(table$outcome, table[[name]], levels = c("Good", "Poor"))
    from_data <- calci_roc(asah$outcome, asah[[name]], levels = c("Good", "Poor"))
    expect_identical(from_csv$auc, from_data$auc, info = name)
  }
})

test_that("roc skips other responses and missing scores", {
  # Hand count: cases score 3 and 4, controls 1 and 2, so every pair is
  # ordered and the AUC is 1; "other" and the NA score are left out.
  roc <- calci_roc(c("a", "a", "b", "b", "other", "b"), c(1, 2, 3, 4, 0, NA),
                   levels = c("a", "b"))
  expect_equal(roc$cases, 2)
  expect_equal(roc$controls, 2)
  expect_equal(roc$auc, 1)
})

test_that("ties count one half", {
  # Hand count: pairs (case, control) = (1,0) (1,1) (2,0) (2,1): wins 1 + 0.5
  # + 1 + 1 of 4 pairs, AUC 0.875.
  roc <- calci_roc(c(0, 0, 1, 1), c(0, 1, 1, 2), levels = c(0, 1), direction = "<")
  expect_equal(roc$auc, 0.875, tolerance = 1e-15)
})

test_that("one class only raises CALCI_ERR_DATA", {
  expect_error(calci_roc(c(0, 0, 0), c(1, 2, 3), levels = c(0, 1)), "CALCI_ERR_DATA")
})

test_that("DeLong test of curves on different cases raises CALCI_ERR_ARGUMENT", {
  first <- calci_roc(c(0, 0, 1, 1), c(1, 2, 3, 4), levels = c(0, 1))
  second <- calci_roc(c(0, 0, 1, 1, 1), c(1, 2, 3, 4, 5), levels = c(0, 1))
  expect_error(calci_delong_test(first, second), "CALCI_ERR_ARGUMENT")
})

test_that("invalid direction is rejected", {
  expect_error(calci_roc(c(0, 1), c(1, 2), levels = c(0, 1), direction = "up"),
               "direction")
})

test_that("roc restored by readRDS gives the same interval", {
  roc <- calci_roc(c(0, 0, 0, 1, 1, 1), c(1, 3, 2, 4, 2.5, 6), levels = c(0, 1))
  path <- tempfile(fileext = ".rds")
  on.exit(unlink(path))
  saveRDS(roc, path)
  restored <- readRDS(path)
  expect_identical(calci::ci(restored), calci::ci(roc))
})

test_that("print and plot return the object", {
  roc <- calci_roc(c(0, 0, 1, 1), c(1, 2, 3, 4), levels = c(0, 1))
  expect_output(print(roc), "Area under the curve: 1")
  path <- tempfile(fileext = ".pdf")
  grDevices::pdf(path)
  expect_identical(plot(roc), roc)
  grDevices::dev.off()
  unlink(path)
})
