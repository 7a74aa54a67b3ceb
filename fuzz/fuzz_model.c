/*
 * fuzz_model.c - libFuzzer target for calci_model_load. A model that loads is
 * read through its accessors, saved and loaded again.
 */
#include <stddef.h>
#include <stdint.h>

#include "calci.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_input(data, size, ".model");
    calci_model *model = NULL, *again = NULL;
    calci_error *error = calci_error_create();

    if (path != NULL && calci_model_load(path, &model, error) == CALCI_OK) {
        volatile double sum = calci_model_intercept(model) + calci_model_cv_auc(model);
        size_t features = calci_model_feature_count(model);
        size_t k_max = calci_model_cv_k_max(model);

        sum += (double)strlen(calci_model_classifier(model));
        for (size_t i = 0; i < features; i++)
            sum += calci_model_coefficient(model, i) +
                   (double)strlen(calci_model_feature_name(model, i));
        for (size_t k = 1; k <= k_max; k++)
            sum += calci_model_cv_auc_at(model, k);
        sum += calci_model_threshold_high_sensitivity(model);
        sum += calci_model_threshold_high_specificity(model);
        (void)sum;

        /* Whatever loads must save and load again. */
        char out[700];
        snprintf(out, sizeof out, "%s.out", path);
        if (calci_model_save(model, out, error) != CALCI_OK ||
            calci_model_load(out, &again, error) != CALCI_OK)
            abort();
        if (calci_model_feature_count(again) != features)
            abort();
        unlink(out);
    }
    calci_model_free(again);
    calci_model_free(model);
    calci_error_free(error);
    return 0;
}
