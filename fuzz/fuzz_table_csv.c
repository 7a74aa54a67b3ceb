/*
 * fuzz_table_csv.c - libFuzzer target for calci_table_read_csv; a table that
 * loads is read back cell by cell.
 */
#include <stddef.h>
#include <stdint.h>

#include "calci.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_input(data, size, ".csv");
    calci_table *table = NULL;
    calci_error *error = calci_error_create();

    if (path != NULL && calci_table_read_csv(path, &table, error) == CALCI_OK) {
        size_t rows = calci_table_rows(table), columns = calci_table_columns(table);
        volatile size_t sum = 0;

        for (size_t j = 0; j < columns; j++) {
            const char *name = calci_table_column_name(table, j);
            sum += strlen(name);
            /* The first column of that name must be found at or before j. */
            if (calci_table_find_column(table, name) > j)
                abort();
        }
        for (size_t i = 0; i < rows; i++) {
            sum += calci_table_line(table, i);
            for (size_t j = 0; j < columns; j++)
                sum += strlen(calci_table_cell(table, i, j));
        }
        (void)sum;
    }
    calci_table_free(table);
    calci_error_free(error);
    return 0;
}
