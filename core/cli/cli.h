/*
 * cli.h — commands of the chronicle program that live outside main.c.
 */
#ifndef CHRONICLE_CLI_H
#define CHRONICLE_CLI_H

/* `chronicle plugin-check ...`: argv[0] is "plugin-check"; the exit status. */
int cli_plugin_check(int argc, char **argv);

/* A data file shipped with chronicle: data/SOURCE in the source tree when
 * run from the build directory, else the installed DATADIR/chronicle/data/NAME
 * ("unicode-torture.json", from data/samples/).  Caller frees. */
char *cli_data_file(const char *name, const char *source);

#endif
