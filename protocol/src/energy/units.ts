/** Units a meter point may carry; the panel formats by these. */
export const ENERGY_UNITS = ['V', 'A', 'W', 'kW', 'var', 'kvar', 'VA', 'kVA', 'Hz', 'kWh', 'kvarh', 'kVAh', 'Ah', '%', '°', '°C', 'mA', '', 'on/off'] as const;
export type EnergyUnit = (typeof ENERGY_UNITS)[number];
