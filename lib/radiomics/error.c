/* error.c - status names, error objects and the version functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int rad_version_major(void) { return RAD_VERSION_MAJOR; }
int rad_version_minor(void) { return RAD_VERSION_MINOR; }
int rad_version_patch(void) { return RAD_VERSION_PATCH; }
const char *rad_version_string(void) { return RAD_VERSION_STRING; }

static const struct {
    const char *name;
    const char *message;
} status_text[] = {
    [RAD_OK] = {"RAD_OK", "success"},
    [RAD_ERR_ARGUMENT] = {"RAD_ERR_ARGUMENT", "invalid argument"},
    [RAD_ERR_NO_MEMORY] = {"RAD_ERR_NO_MEMORY", "out of memory"},
    [RAD_ERR_IO] = {"RAD_ERR_IO", "file could not be opened, read or written"},
    [RAD_ERR_FORMAT] = {"RAD_ERR_FORMAT", "file is damaged or not in the expected format"},
    [RAD_ERR_UNSUPPORTED] = {"RAD_ERR_UNSUPPORTED", "input not supported by this version"},
    [RAD_ERR_GEOMETRY] = {"RAD_ERR_GEOMETRY", "image and mask geometry differ"},
    [RAD_ERR_EMPTY_ROI] = {"RAD_ERR_EMPTY_ROI", "region of interest is empty"},
    [RAD_ERR_NOT_FINITE] = {"RAD_ERR_NOT_FINITE", "NaN or infinite value in the region of interest"},
    [RAD_ERR_TOO_LARGE] = {"RAD_ERR_TOO_LARGE", "size exceeds the supported maximum"},
    [RAD_ERR_PARAMETER] = {"RAD_ERR_PARAMETER", "unknown parameter or invalid parameter value"},
    [RAD_ERR_OUTSIDE] = {"RAD_ERR_OUTSIDE", "point or box lies outside the image"},
};

#define STATUS_COUNT (sizeof status_text / sizeof status_text[0])

const char *rad_status_name(rad_status status)
{
    if ((unsigned)status >= STATUS_COUNT)
        return "RAD_STATUS_UNKNOWN";
    return status_text[status].name;
}

const char *rad_status_message(rad_status status)
{
    if ((unsigned)status >= STATUS_COUNT)
        return "unknown status code";
    return status_text[status].message;
}

rad_error *rad_error_create(void)
{
    return calloc(1, sizeof(rad_error));
}

void rad_error_free(rad_error *error)
{
    free(error);
}

rad_status rad_error_status(const rad_error *error)
{
    return error ? error->status : RAD_OK;
}

const char *rad_error_message(const rad_error *error)
{
    return error ? error->message : "";
}

void rad_error_clear(rad_error *error)
{
    if (error) {
        error->status = RAD_OK;
        error->message[0] = '\0';
    }
}

rad_status ri_fail(rad_error *error, rad_status status, const char *format, ...)
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
