/*
 * json.c - a small streaming JSON writer for summary.json.
 */
#include <math.h>
#include <stdio.h>

#include "cli.h"

static void write_string(FILE *file, const char *value)
{
    if (value == NULL) {
        fputs("null", file);
        return;
    }
    fputc('"', file);
    for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(file, "\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", file);
        else if (*c < 0x20)
            fprintf(file, "\\u%04x", *c);
        else
            fputc(*c, file);
    }
    fputc('"', file);
}

/* Writes the separator and indentation before a member, then its key. */
static void member(json_writer *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->first[w->depth])
            fputc(',', w->file);
        fputc('\n', w->file);
        w->first[w->depth] = 0;
        for (int i = 0; i < w->depth; i++)
            fputs("  ", w->file);
    }
    if (key != NULL) {
        write_string(w->file, key);
        fputs(": ", w->file);
    }
}

static void open_container(json_writer *w, const char *key, char bracket)
{
    member(w, key);
    fputc(bracket, w->file);
    if (w->depth < 31)
        w->depth++;
    w->first[w->depth] = 1;
}

static void close_container(json_writer *w, char bracket)
{
    int empty = w->first[w->depth];

    if (w->depth > 0)
        w->depth--;
    if (!empty) {
        fputc('\n', w->file);
        for (int i = 0; i < w->depth; i++)
            fputs("  ", w->file);
    }
    fputc(bracket, w->file);
    if (w->depth == 0)
        fputc('\n', w->file);
}

void json_begin_object(json_writer *w, const char *key) { open_container(w, key, '{'); }
void json_end_object(json_writer *w) { close_container(w, '}'); }
void json_begin_array(json_writer *w, const char *key) { open_container(w, key, '['); }
void json_end_array(json_writer *w) { close_container(w, ']'); }

void json_string(json_writer *w, const char *key, const char *value)
{
    member(w, key);
    write_string(w->file, value);
}

void json_number(json_writer *w, const char *key, double value)
{
    member(w, key);
    if (isfinite(value))
        fprintf(w->file, "%.17g", value);
    else
        fputs("null", w->file);
}

void json_integer(json_writer *w, const char *key, long long value)
{
    member(w, key);
    fprintf(w->file, "%lld", value);
}

void json_bool(json_writer *w, const char *key, int value)
{
    member(w, key);
    fputs(value ? "true" : "false", w->file);
}
