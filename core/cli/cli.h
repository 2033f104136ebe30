/*
 * cli.h — commands of the chronicle program that live outside main.c.
 */
#ifndef CHRONICLE_CLI_H
#define CHRONICLE_CLI_H

/* `chronicle plugin-check ...`: argv[0] is "plugin-check"; the exit status. */
int cli_plugin_check(int argc, char **argv);

/* A data file shipped with chronicle ("events.json"): the source tree's
 * data/ when run from the build directory, else the installed copy.
 * Caller frees. */
char *cli_data_file(const char *name);

#endif
