/*
 * The board's two OTA app slots and the bootloader's app rollback, for the update port
 * (otaSlots.ts): ESP-IDF's esp_partition_* on the inactive slot and esp_ota_* for the boot
 * selection (components/app_update, esp_ota_ops.h).
 *
 * The Moddable SDK's `ota` module (build/devices/esp32/modules/ota) writes a slot only
 * sequentially through esp_ota_begin/_write/_end and cannot confirm or cancel a rollback. The
 * update flow needs more: it resumes a download after a reboot (so it writes at an offset,
 * sector by sector, erasing each just before), reads the slot back to hash it, stores the seal
 * in the slot's last sector, and confirms (or rolls back) the new image after its self-test.
 *
 * "The inactive slot" is esp_ota_get_next_update_partition(NULL), asked afresh on every call;
 * every function refuses it when it is the running partition (it never is on a table with two
 * OTA slots; a factory-only table has none). Offsets and lengths are checked here as well as in
 * otaSlots.ts: nothing outside the slot is ever erased, written or read.
 *
 * With flash encryption on, esp_partition_write/_read encrypt and decrypt (the slot is an app
 * partition, always encrypted then) and need offsets and lengths that are multiples of 16:
 * ESP-IDF refuses others, and the refusal comes back as an error here.
 *
 * Errors are thrown with the ESP-IDF error's name (esp_err_to_name); otaSlots.ts turns them
 * into PortError codes.
 */

#include "xsmc.h"
#include "esp_err.h"
#include "esp_partition.h"
#include "app_update/include/esp_ota_ops.h"

#include <stdint.h>

/* SPI_FLASH_SEC_SIZE: the erase granule, and the UpdatePort's sectorSize. */
#define kSectorBytes 4096

/* info() fills these int32 fields, in this order (otaSlots.ts INFO_*). */
enum {
	kInfoRunningSlot = 0,	/* 0 = ota_0, 1 = ota_1, -1 = not an OTA slot (factory) */
	kInfoRunningState,		/* esp_ota_img_states_t, or -1 when otadata has no state for it */
	kInfoInactiveSlot,		/* 0, 1, or -1 when there is no inactive slot */
	kInfoInactiveBytes,		/* size of the inactive slot, 0 when none */
	kInfoInactiveEncrypted,	/* 1 when the inactive slot is encrypted (flash encryption on) */
	kInfoRunningBytes,		/* size of the running partition */
	kInfoCount
};

/* ota_N -> N; anything else (factory, test) -> -1. ESP_PARTITION_SUBTYPE_APP_OTA_MAX is one past ota_15. */
static int slotIndex(const esp_partition_t *partition)
{
	if (!partition || (ESP_PARTITION_TYPE_APP != partition->type))
		return -1;
	if ((partition->subtype < ESP_PARTITION_SUBTYPE_APP_OTA_MIN) || (partition->subtype >= ESP_PARTITION_SUBTYPE_APP_OTA_MAX))
		return -1;
	return (int)(partition->subtype - ESP_PARTITION_SUBTYPE_APP_OTA_MIN);
}

/* The slot an update goes to; throws when there is none or it is the running one. */
static const esp_partition_t *inactiveSlot(xsMachine *the)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);

	if ((NULL == next) || (slotIndex(next) < 0))
		xsUnknownError("no inactive OTA slot (partition table without ota_0/ota_1)");
	if ((NULL == running) || (next->address == running->address))
		xsUnknownError("the inactive slot is the running one");
	return next;
}

/* info(into: Int32Array of kInfoCount): the slots as the bootloader left them. */
void xs_xspos_ota_info(xsMachine *the)
{
	void *data;
	xsUnsignedValue length;
	int32_t *info;
	const esp_partition_t *running = esp_ota_get_running_partition();
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	esp_ota_img_states_t state;

	xsmcGetBufferWritable(xsArg(0), &data, &length);
	if (length < (kInfoCount * sizeof(int32_t)))
		xsRangeError("info needs %d int32", kInfoCount);
	info = data;
	info[kInfoRunningSlot] = slotIndex(running);
	if (running && (ESP_OK == esp_ota_get_state_partition(running, &state)) && (ESP_OTA_IMG_UNDEFINED != state))
		info[kInfoRunningState] = (int32_t)state;
	else
		info[kInfoRunningState] = -1;	/* ESP_ERR_NOT_FOUND (erased otadata), ESP_ERR_NOT_SUPPORTED (factory) */
	if (next && running && (slotIndex(next) >= 0) && (next->address != running->address)) {
		info[kInfoInactiveSlot] = slotIndex(next);
		info[kInfoInactiveBytes] = (int32_t)next->size;
		info[kInfoInactiveEncrypted] = next->encrypted ? 1 : 0;
	}
	else {
		info[kInfoInactiveSlot] = -1;
		info[kInfoInactiveBytes] = 0;
		info[kInfoInactiveEncrypted] = 0;
	}
	info[kInfoRunningBytes] = running ? (int32_t)running->size : 0;
}

/* Throws unless [offset, offset + length) lies inside the partition and length > 0. */
static void checkSpan(xsMachine *the, const esp_partition_t *partition, int offset, int length)
{
	if ((offset < 0) || (length <= 0) || ((uint32_t)offset > partition->size) || ((uint32_t)length > (partition->size - (uint32_t)offset)))
		xsRangeError("%d+%d outside the slot's %d bytes", offset, length, (int)partition->size);
}

/* erase(sector): erases one 4 KB sector of the inactive slot. */
void xs_xspos_ota_erase(xsMachine *the)
{
	const esp_partition_t *slot = inactiveSlot(the);
	int sector = xsmcToInteger(xsArg(0));
	esp_err_t err;

	if ((sector < 0) || ((uint32_t)sector >= (slot->size / kSectorBytes)))
		xsRangeError("no sector %d in the slot", sector);
	err = esp_partition_erase_range(slot, (size_t)sector * kSectorBytes, kSectorBytes);
	if (ESP_OK != err)
		xsUnknownError("%s", esp_err_to_name(err));
}

/* write(offset, bytes): programs the bytes at offset of the inactive slot (erased beforehand by the caller). */
void xs_xspos_ota_write(xsMachine *the)
{
	const esp_partition_t *slot = inactiveSlot(the);
	int offset = xsmcToInteger(xsArg(0));
	void *data;
	xsUnsignedValue length;
	esp_err_t err;

	xsmcGetBufferReadable(xsArg(1), &data, &length);
	checkSpan(the, slot, offset, (int)length);
	err = esp_partition_write(slot, (size_t)offset, data, length);
	if (ESP_OK != err)
		xsUnknownError("%s", esp_err_to_name(err));
}

/* read(offset, into): fills `into` from offset of the inactive slot. */
void xs_xspos_ota_read(xsMachine *the)
{
	const esp_partition_t *slot = inactiveSlot(the);
	int offset = xsmcToInteger(xsArg(0));
	void *data;
	xsUnsignedValue length;
	esp_err_t err;

	xsmcGetBufferWritable(xsArg(1), &data, &length);
	checkSpan(the, slot, offset, (int)length);
	err = esp_partition_read(slot, (size_t)offset, data, length);
	if (ESP_OK != err)
		xsUnknownError("%s", esp_err_to_name(err));
}

/*
 * activate(): the inactive slot boots next. esp_ota_set_boot_partition verifies the slot's
 * image first (esp_image_verify: headers, checksum, the appended SHA-256) and changes nothing
 * when it fails (ESP_ERR_OTA_VALIDATE_FAILED). With app rollback on, the new otadata entry is
 * ESP_OTA_IMG_NEW: the bootloader boots it once as PENDING_VERIFY.
 */
void xs_xspos_ota_activate(xsMachine *the)
{
	const esp_partition_t *slot = inactiveSlot(the);
	esp_err_t err = esp_ota_set_boot_partition(slot);

	if (ESP_OK != err)
		xsUnknownError("%s", esp_err_to_name(err));
}

/* markValid(): confirms the running image (PENDING_VERIFY -> VALID); the bootloader stops watching it. */
void xs_xspos_ota_mark_valid(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_valid_cancel_rollback();

	if (ESP_OK != err)
		xsUnknownError("%s", esp_err_to_name(err));
}

/*
 * rollback(): marks the running image INVALID and restarts into the other slot. Returns only
 * when that is impossible (ESP_ERR_OTA_ROLLBACK_FAILED: no other bootable image), and then
 * nothing changed.
 */
void xs_xspos_ota_rollback(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_invalid_rollback_and_reboot();

	xsUnknownError("%s", esp_err_to_name(err));
}
