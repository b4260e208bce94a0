/*
 * Random bytes from the platform's own entropy source, for the crypto port.
 *
 * ESP32: esp_fill_random(), the hardware RNG. ESP-IDF documents it as true random while the
 * Wi-Fi or Bluetooth radio runs (or after bootloader_random_enable()), and as pseudo-random
 * otherwise. Moddable's crypt "rng" module is RC4 seeded from 16 bytes of it, so reading the
 * hardware directly is never worse.
 * Simulator (Linux): getrandom(2), the kernel's CSPRNG.
 */

#include "xsmc.h"

#if ESP32
	#include "esp_random.h"
#else
	#include <errno.h>
	#include <sys/random.h>
#endif

void xs_xspos_entropy_fill(xsMachine *the)
{
	void *data;
	xsUnsignedValue length;

	xsmcGetBufferWritable(xsArg(0), &data, &length);
#if ESP32
	esp_fill_random(data, length);
#else
	uint8_t *at = data;
	while (length) {
		ssize_t got = getrandom(at, length, 0);
		if (got < 0) {
			if (EINTR == errno)
				continue;
			xsUnknownError("getrandom failed");
		}
		at += got;
		length -= got;
	}
#endif
}
