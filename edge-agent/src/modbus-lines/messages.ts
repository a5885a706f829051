import { defineMessages } from '@campus/protocol/i18n';

/** Two config entries that name one physical Modbus line must agree on it (zh-CN first). */
export const modbusLineMessages = defineMessages({
  'error.modbus.line_conflict': {
    'zh-CN': 'Modbus 线路 {link} 在 {keyA}（{a}）和 {keyB}（{b}）中的设置不一致。同一条 RS-485 线路只有一个主站，波特率、校验和帧格式必须相同，请改成一致',
    en: 'Modbus line {link} is set differently in {keyA} ({a}) and {keyB} ({b}). One RS-485 line has one master and one baud rate, parity and framing; make them match',
  },
  'error.modbus.unit_conflict': {
    'zh-CN': 'Modbus 线路 {link} 上的地址 {unit} 同时被 {keyA} 和 {keyB} 使用；同一线路上每台设备的地址必须不同',
    en: 'Unit {unit} on Modbus line {link} is used by both {keyA} and {keyB}; every device on one line needs its own address',
  },
});
