library(testthat)
library(calci)

test_check("calci")
