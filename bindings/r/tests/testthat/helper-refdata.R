# Reference data lives in the folder named by RADIOMICS_REFDATA (run-tests.sh
# sets it to the repository's ../shared/data when unset). A test whose data
# is absent is skipped with a message saying which path was missing.
refdata_path <- function(relative) {
  root <- Sys.getenv("RADIOMICS_REFDATA")
  if (!nzchar(root)) {
    skip(paste("reference data", relative, "not found (set RADIOMICS_REFDATA)"))
  }
  path <- file.path(root, relative)
  if (!file.exists(path)) {
    skip(paste("reference data", path, "not found (set RADIOMICS_REFDATA)"))
  }
  path
}
