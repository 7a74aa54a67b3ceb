/*
 * fuzz_dataset_csv.c - libFuzzer target for calci_dataset_read_csv. A table
 * that loads is read back through every accessor and written out again.
 */
#include <stddef.h>
#include <stdint.h>

#include "calci.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_input(data, size, ".csv");
    calci_dataset *dataset = NULL;
    calci_error *error = calci_error_create();

    if (path != NULL && calci_dataset_read_csv(path, &dataset, error) == CALCI_OK) {
        size_t cases = calci_dataset_cases(dataset);
        size_t features = calci_dataset_features(dataset);
        size_t comparators = calci_dataset_comparators(dataset);
        volatile double sum = 0;

        for (size_t i = 0; i < cases; i++) {
            sum += calci_dataset_label(dataset, i) + (double)calci_dataset_split(dataset, i);
            sum += (double)strlen(calci_dataset_case_id(dataset, i));
            sum += (double)strlen(calci_dataset_patient_id(dataset, i));
            for (size_t j = 0; j < features; j++)
                sum += calci_dataset_value(dataset, i, j);
            for (size_t j = 0; j < comparators; j++)
                sum += calci_dataset_comparator(dataset, i, j);
        }
        for (size_t j = 0; j < features; j++)
            sum += (double)strlen(calci_dataset_feature_name(dataset, j));
        (void)sum;

        /* Writing must succeed for anything that was read. */
        char out[700];
        snprintf(out, sizeof out, "%s.out.csv", path);
        if (calci_dataset_write_csv(dataset, out, error) != CALCI_OK)
            abort();
        unlink(out);
    }
    calci_dataset_free(dataset);
    calci_error_free(error);
    return 0;
}
