// OpenBLAS from Debian (apt-get install libopenblas-dev). cblas.h lives in the multiarch include directory,
// which the compiler searches by default; OpenBLAS's copy also declares openblas_set_num_threads.
#include <cblas.h>
