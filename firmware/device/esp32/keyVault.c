/*
 * The ESP32 key vault's flash side (nvsKeyVault.ts): the master key as one NVS blob in its own
 * partition (partitions.csv "xsposkeys", namespace "xspos", key = the slot), apart from the
 * settings' default "nvs" partition, so the `preference` module cannot reach it.
 *
 * With CONFIG_NVS_ENCRYPTION the partition is opened with nvs_flash_secure_init_partition and
 * the XTS keys of the default security scheme (ESP-IDF registers the flash-encryption scheme:
 * the keys live in the "nvs_keys" partition, itself encrypted by flash encryption; main.c's
 * nvs_flash_init() has already generated them on first boot). Whether the vault may open at
 * all is the policy's decision, in keyVault.ts; this file only reports and does.
 *
 * Key bytes pass through here in stack buffers and the XS heap's ArrayBuffers; the NVS copy
 * in flash is what these functions protect, and they never log a value.
 */

#include "xsmc.h"
#include "sdkconfig.h"
#include "esp_err.h"
#include "esp_flash_encrypt.h"
#include "nvs_flash/include/nvs_flash.h"

#include <string.h>

#define kVaultNamespace "xspos"
/* NVS names: at most 15 characters (NVS_KEY_NAME_MAX_SIZE - 1). */
#define kNameSize 16
/* The largest record keyVault.ts writes: format, algorithm, a 32-byte key. */
#define kRecordMax 34

/* [flashEncrypted, nvsEncrypted] as bit 0 and bit 1. */
void xs_xspos_vault_security(xsMachine *the)
{
	int bits = esp_flash_encryption_enabled() ? 1 : 0;
#if CONFIG_NVS_ENCRYPTION
	bits |= 2;
#endif
	xsmcSetInteger(xsResult, bits);
}

/* open(label, secure): initialise the partition; throws with the ESP-IDF error's name. */
void xs_xspos_vault_open(xsMachine *the)
{
	char label[kNameSize];
	esp_err_t err;

	xsmcToStringBuffer(xsArg(0), label, sizeof(label));
	if (xsmcToBoolean(xsArg(1))) {
#if CONFIG_NVS_ENCRYPTION
		nvs_sec_cfg_t cfg;
		nvs_sec_scheme_t *scheme = nvs_flash_get_default_security_scheme();
		err = nvs_flash_read_security_cfg_v2(scheme, &cfg);
		if (ESP_OK != err)
			err = nvs_flash_generate_keys_v2(scheme, &cfg);
		if (ESP_OK == err)
			err = nvs_flash_secure_init_partition(label, &cfg);
		memset(&cfg, 0, sizeof(cfg));
#else
		xsUnknownError("this build has no NVS encryption");
#endif
	}
	else
		err = nvs_flash_init_partition(label);
	/* A full or newer-format partition is not erased here: that would lose the key silently. */
	if (ESP_OK != err)
		xsUnknownError("%s", esp_err_to_name(err));
}

static nvs_handle_t openSlot(xsMachine *the, nvs_open_mode_t mode, char *slot)
{
	char label[kNameSize];
	nvs_handle_t handle;
	esp_err_t err;

	xsmcToStringBuffer(xsArg(0), label, kNameSize);
	xsmcToStringBuffer(xsArg(1), slot, kNameSize);
	err = nvs_open_from_partition(label, kVaultNamespace, mode, &handle);
	if (ESP_OK != err) {
		if ((NVS_READONLY == mode) && (ESP_ERR_NVS_NOT_FOUND == err))
			return 0;	/* nothing ever stored: the namespace does not exist yet */
		xsUnknownError("%s", esp_err_to_name(err));
	}
	return handle;
}

/* read(label, slot): the record as an ArrayBuffer, or undefined. */
void xs_xspos_vault_read(xsMachine *the)
{
	char slot[kNameSize];
	uint8_t record[kRecordMax];
	size_t length = sizeof(record);
	nvs_handle_t handle = openSlot(the, NVS_READONLY, slot);
	esp_err_t err;

	if (!handle)
		return;
	err = nvs_get_blob(handle, slot, record, &length);
	nvs_close(handle);
	if (ESP_OK == err)
		xsmcSetArrayBuffer(xsResult, record, length);
	memset(record, 0, sizeof(record));
	if ((ESP_OK != err) && (ESP_ERR_NVS_NOT_FOUND != err))
		xsUnknownError("%s", esp_err_to_name(err));
}

/* write(label, slot, record): replaces the slot's record and commits. */
void xs_xspos_vault_write(xsMachine *the)
{
	char slot[kNameSize];
	void *data;
	xsUnsignedValue length;
	nvs_handle_t handle;
	esp_err_t err;

	xsmcGetBufferReadable(xsArg(2), &data, &length);
	if (length > kRecordMax)
		xsRangeError("record too long");
	handle = openSlot(the, NVS_READWRITE, slot);
	err = nvs_set_blob(handle, slot, data, length);
	if (ESP_OK == err)
		err = nvs_commit(handle);
	nvs_close(handle);
	if (ESP_OK != err)
		xsUnknownError("%s", esp_err_to_name(err));
}

/* erase(label, slot): removes the slot's record; none is no error. */
void xs_xspos_vault_erase(xsMachine *the)
{
	char slot[kNameSize];
	nvs_handle_t handle = openSlot(the, NVS_READWRITE, slot);
	esp_err_t err = nvs_erase_key(handle, slot);

	if (ESP_OK == err)
		err = nvs_commit(handle);
	nvs_close(handle);
	if ((ESP_OK != err) && (ESP_ERR_NVS_NOT_FOUND != err))
		xsUnknownError("%s", esp_err_to_name(err));
}
