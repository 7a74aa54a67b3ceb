/* error.c - status names, error objects and the version functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int calci_version_major(void) { return CALCI_VERSION_MAJOR; }
int calci_version_minor(void) { return CALCI_VERSION_MINOR; }
int calci_version_patch(void) { return CALCI_VERSION_PATCH; }
const char *calci_version_string(void) { return CALCI_VERSION_STRING; }

static const struct {
    const char *name;
    const char *message;
} status_text[] = {
    [CALCI_OK] = {"CALCI_OK", "success"},
    [CALCI_ERR_ARGUMENT] = {"CALCI_ERR_ARGUMENT", "invalid argument"},
    [CALCI_ERR_NO_MEMORY] = {"CALCI_ERR_NO_MEMORY", "out of memory"},
    [CALCI_ERR_IO] = {"CALCI_ERR_IO", "file could not be opened, read or written"},
    [CALCI_ERR_FORMAT] = {"CALCI_ERR_FORMAT", "file is damaged or not in the expected format"},
    [CALCI_ERR_DATA] = {"CALCI_ERR_DATA", "the data cannot support the request"},
    [CALCI_ERR_NOT_FOUND] = {"CALCI_ERR_NOT_FOUND", "required column or feature not found"},
    [CALCI_ERR_NUMERIC] = {"CALCI_ERR_NUMERIC", "numerical fit did not converge"},
    [CALCI_ERR_VERSION] = {"CALCI_ERR_VERSION", "model file from an incompatible version"},
    [CALCI_ERR_PARAMETER] = {"CALCI_ERR_PARAMETER", "unknown option or invalid option value"},
};

#define STATUS_COUNT (sizeof status_text / sizeof status_text[0])

const char *calci_status_name(calci_status status)
{
    if ((unsigned)status >= STATUS_COUNT)
        return "CALCI_STATUS_UNKNOWN";
    return status_text[status].name;
}

const char *calci_status_message(calci_status status)
{
    if ((unsigned)status >= STATUS_COUNT)
        return "unknown status code";
    return status_text[status].message;
}

calci_error *calci_error_create(void)
{
    return calloc(1, sizeof(calci_error));
}

void calci_error_free(calci_error *error)
{
    free(error);
}

calci_status calci_error_status(const calci_error *error)
{
    return error ? error->status : CALCI_OK;
}

const char *calci_error_message(const calci_error *error)
{
    return error ? error->message : "";
}

void calci_error_clear(calci_error *error)
{
    if (error) {
        error->status = CALCI_OK;
        error->message[0] = '\0';
    }
}

calci_status ci_fail(calci_error *error, calci_status status, const char *format, ...)
{
    va_list args;

    if (error == NULL)
        return status;
    error->status = status;
    va_start(args, format);
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
    return status;
}
