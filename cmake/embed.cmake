# Turns a text file into a C source defining `const char NAME[]` and `NAME_len`.
# Usage: cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* generated from ${IN}: do not edit */\n#include <stddef.h>\n"
     "const char ${NAME}[] = {${bytes} 0x00};\n"
     "const size_t ${NAME}_len = sizeof(${NAME}) - 1;\n")
