/*
 * The board's serial number source: the base MAC address burnt into eFuse at the factory
 * (esp_efuse_mac_get_default: unique per chip, readable before Wi-Fi starts, unlike the `net`
 * module's MAC, which needs the station interface up).
 */

#include "xsmc.h"
#include "esp_mac.h"

/* Fills the 6-byte buffer argument with the eFuse base MAC. */
void xs_xspos_efuse_mac(xsMachine *the)
{
	void *data;
	xsUnsignedValue length;
	esp_err_t err;

	xsmcGetBufferWritable(xsArg(0), &data, &length);
	if (length != 6)
		xsRangeError("a MAC is 6 bytes");
	err = esp_efuse_mac_get_default(data);
	if (ESP_OK != err)
		xsUnknownError("esp_efuse_mac_get_default failed");
}
