/* input.h: opening a file the user names as input: never blocks, regular files only. */
#ifndef PB_CORE_INPUT_H
#define PB_CORE_INPUT_H

/*
 * Open `path` for reading the way every input reader must: O_NONBLOCK|O_NOCTTY so that a FIFO with
 * no writer or a terminal cannot hang or take over the process, then fstat, then refuse anything
 * that is not a regular file ("PATH: not a regular file (a FIFO)"), then back to blocking reads.
 * Returns the descriptor (O_CLOEXEC; the caller closes it), or -1 with an error naming the path
 * (class PB_EXIT_USAGE: the input is the user's to fix). *size gets the file's size when not NULL.
 */
int pb_input_open(const char *path, long long *size);

#endif
