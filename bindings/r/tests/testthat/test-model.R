# Models: the fitted logistic regression against the objective it documents
# (scikit-learn's L2 form, minimised here by R's optim), the decision value
# against the z-score formula of the model file, and save/load round trips.

simulated_cases <- function(n = 80, seed = 7) {
  set.seed(seed)
  x <- matrix(stats::rnorm(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
  x[, "b"] <- 10 + 5 * x[, "b"]
  y <- as.integer(x[, "a"] - 0.2 * x[, "b"] + stats::rnorm(n) > -2)
  list(x = x, y = y, groups = rep(seq_len(n / 2), each = 2))
}

# z-score with population SD, as the model file defines.
z_scores <- function(x) {
  means <- colMeans(x)
  sds <- sqrt(colMeans(sweep(x, 2, means)^2))
  sweep(sweep(x, 2, means), 2, sds, "/")
}

test_that("logistic regression minimises the L2 objective", {
  cases <- simulated_cases()
  model <- calci_fit(cases$x, cases$y, cases$groups, classifier = "lr", C = 0.5,
                     select = "all", pcc = "none", k = 3)
  expect_setequal(model$features, colnames(cases$x))

  # Objective of scikit-learn's LogisticRegression(C): 0.5 |w|^2 +
  # C sum log(1 + exp(-t f)), t = +-1, intercept unpenalised.
  z <- z_scores(cases$x)[, model$features]
  t <- 2 * cases$y - 1
  objective <- function(theta) {
    f <- theta[1] + z %*% theta[-1]
    0.5 * sum(theta[-1]^2) + 0.5 * sum(log1p(exp(-t * f)))
  }
  gradient <- function(theta) {
    f <- as.vector(theta[1] + z %*% theta[-1])
    g <- -t * stats::plogis(-t * f) * 0.5
    c(sum(g), theta[-1] + as.vector(crossprod(z, g)))
  }
  optimum <- stats::optim(rep(0, 4), objective, gradient, method = "BFGS",
                          control = list(reltol = 1e-15, maxit = 1000))
  # Tolerance 1e-6: BFGS stops near, not at, the optimum.
  expect_equal(model$intercept, optimum$par[1], tolerance = 1e-6)
  expect_equal(unname(model$coefficients), optimum$par[-1], tolerance = 1e-6)
})

test_that("decision value follows the z-score formula", {
  cases <- simulated_cases()
  model <- calci_fit(cases$x, cases$y, cases$groups, k = 2)
  expect_length(model$features, 2)
  z <- z_scores(cases$x)[, model$features, drop = FALSE]
  expected <- as.vector(model$intercept + z %*% model$coefficients)
  expect_equal(unname(predict(model, cases$x, type = "decision")), expected,
               tolerance = 1e-9)
})

test_that("lr probability is the logistic of the decision value", {
  cases <- simulated_cases()
  model <- calci_fit(cases$x, cases$y, cases$groups)
  decision <- predict(model, cases$x, type = "decision")
  expect_equal(predict(model, cases$x, type = "prob"), stats::plogis(decision),
               tolerance = 1e-12)
})

test_that("svm model scores in [0, 1]", {
  cases <- simulated_cases()
  model <- calci_fit(as.data.frame(cases$x), factor(cases$y, labels = c("no", "yes")),
                     cases$groups, classifier = "svm")
  expect_identical(model$classifier, "svm")
  expect_identical(model$levels, c("no", "yes"))
  scores <- predict(model, cases$x)
  expect_true(all(scores >= 0 & scores <= 1))
  expect_true(is.finite(model$cv_auc))
})

test_that("saved and loaded model gives the same scores", {
  cases <- simulated_cases()
  model <- calci_fit(cases$x, cases$y, cases$groups)
  path <- tempfile(fileext = ".model")
  on.exit(unlink(path))
  calci_save_model(model, path)
  loaded <- calci_load_model(path)
  expect_identical(loaded$features, model$features)
  expect_identical(loaded$coefficients, model$coefficients)
  expect_identical(predict(loaded, cases$x), predict(model, cases$x))
})

test_that("prediction matches features by name", {
  cases <- simulated_cases()
  model <- calci_fit(cases$x, cases$y, cases$groups, select = "all", pcc = "none", k = 3)
  reordered <- cases$x[, c("c", "a", "b")]
  expect_identical(predict(model, reordered), predict(model, cases$x))
})

test_that("missing feature raises CALCI_ERR_NOT_FOUND", {
  cases <- simulated_cases()
  model <- calci_fit(cases$x, cases$y, cases$groups, select = "all", pcc = "none", k = 3)
  expect_error(predict(model, cases$x[, c("a", "b")]), "CALCI_ERR_NOT_FOUND")
})

test_that("invalid option raises CALCI_ERR_PARAMETER", {
  cases <- simulated_cases()
  expect_error(calci_fit(cases$x, cases$y, cases$groups, k = "many"),
               "CALCI_ERR_PARAMETER")
})

test_that("one class only raises CALCI_ERR_DATA", {
  cases <- simulated_cases()
  expect_error(calci_fit(cases$x, rep(1L, nrow(cases$x)), cases$groups), "CALCI_ERR_DATA")
})

test_that("loading a missing file raises CALCI_ERR_IO", {
  expect_error(calci_load_model(file.path(tempdir(), "no-such.model")), "CALCI_ERR_IO")
})
