/*
 * differences.c - features whose value differs by design from IBSI's or
 * pyradiomics' definition, with the setting or class that gives the other
 * value. The feature tables keep one line per feature, so this list names
 * the few exceptions by class and pyradiomics name.
 */
#include <string.h>

#include "internal.h"

typedef struct known_difference {
    ri_feature_class feature_class;
    const char *name;
    const char *text;
} known_difference;

static const known_difference differences[] = {
    {RI_CLASS_FIRSTORDER, "Energy",
     "adds voxelArrayShift c to each value before squaring; IBSI's stat_energy has c = 0"},
    {RI_CLASS_FIRSTORDER, "RootMeanSquared",
     "adds voxelArrayShift c to each value; IBSI's stat_rms has c = 0"},
    {RI_CLASS_FIRSTORDER, "Kurtosis",
     "pyradiomics' kurtosis; IBSI's stat_kurt is the excess kurtosis, 3 less (setting "
     "excessKurtosis)"},
    {RI_CLASS_SHAPE, "MajorAxisLength",
     "pyradiomics divides the covariance by N, IBSI by N - 1; the morph class gives IBSI's value"},
    {RI_CLASS_SHAPE, "MinorAxisLength",
     "pyradiomics divides the covariance by N, IBSI by N - 1; the morph class gives IBSI's value"},
    {RI_CLASS_SHAPE, "LeastAxisLength",
     "pyradiomics divides the covariance by N, IBSI by N - 1; the morph class gives IBSI's value"},
};

const char *ri_feature_known_difference(ri_feature_class feature_class, size_t index)
{
    const ri_feature_table *table = ri_feature_table_of(feature_class);

    if (table == NULL || index >= table->count || table->defs[index].name[0] == '\0')
        return NULL;
    for (size_t i = 0; i < sizeof differences / sizeof differences[0]; i++)
        if (differences[i].feature_class == feature_class &&
            strcmp(differences[i].name, table->defs[index].name) == 0)
            return differences[i].text;
    return NULL;
}
